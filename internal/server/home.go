package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// home serves the campaign home page, or the lookup alone when no
// campaign runs.
func (s *Server) home(c echo.Context) error {
	ctx := c.Request().Context()
	ref := cleanRef(c.QueryParam("ref"))
	v := templates.HomeView{Lookup: templates.LookupView{LocationURL: templates.WithRef("/reps", ref), Ref: ref, AddressOn: s.addressOn()}}
	camp, err := s.homeCampaign(ctx)
	switch {
	case advocacy.ErrorCode(err) == advocacy.CodeNotFound:
		return s.render(c, http.StatusOK, templates.HomePage(s.meta(c, "Whipcount", "/"), v), nil)
	case err != nil:
		return err
	}
	cv := s.campaignView(ctx, camp)
	v.Campaign = &cv
	m := s.meta(c, camp.Title, "/")
	m.Description = camp.Ask
	return s.renderCached(c, http.StatusOK, templates.HomePage(m, v), nil, s.campaignModified(camp, true))
}
