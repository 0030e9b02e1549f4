package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// campaignLister lists every campaign, drafts included.
type campaignLister interface {
	ListCampaigns(ctx context.Context) ([]advocacy.Campaign, error)
}

// workspaceHome is the workspace's first page: the campaigns, which one
// the home page features, and the letters waiting for moderation. It is
// mounted with the workspace; what is not wired is left out of it.
type workspaceHome struct {
	view *renderer
	ws   *workspace
	// list lists the campaigns; nil lists none.
	list campaignLister
	// campaigns tells the featured campaign; nil features none.
	campaigns CampaignStore
	// held counts the letters waiting for moderation; nil shows no count.
	held ModerationStore
	// canStart: the campaign life is mounted, so new campaigns can start.
	canStart bool
}

func newWorkspaceHome(s *Server, ws *workspace, canStart bool) *workspaceHome {
	return &workspaceHome{view: s.view, ws: ws, list: s.deps.Organizer.Editor, campaigns: s.deps.Campaigns,
		held: s.deps.Organizer.Moderation, canStart: canStart}
}

func (h *workspaceHome) routes(org *echo.Group) {
	org.GET("", h.page)
}

// page lists the campaigns, and how many letters wait for moderation.
func (h *workspaceHome) page(c echo.Context) error {
	a, _ := authFrom(c)
	ctx := c.Request().Context()
	v := templates.OrgHomeView{CanCreate: a.user.Can(advocacy.PermEditContent) && h.canStart}
	if h.list != nil {
		list, err := h.list.ListCampaigns(ctx)
		if err != nil {
			return err
		}
		featured := ""
		if h.campaigns != nil {
			if featured, err = h.campaigns.Featured(ctx); err != nil {
				return err
			}
		}
		for _, camp := range list {
			if !a.user.Can(advocacy.PermViewStats) && !camp.Public() {
				continue // partners see only the campaigns that are public
			}
			v.Campaigns = append(v.Campaigns, templates.OrgCampaignLink{Slug: camp.Slug, Title: camp.Title,
				Status: camp.Status.Label(), URL: orgCampaignURL(camp.Slug), Featured: camp.Slug == featured})
		}
	}
	if a.user.Can(advocacy.PermModerate) && h.held != nil {
		_, held, err := h.held.Held(ctx, 0, 1)
		if err != nil {
			return err
		}
		v.Held = held
	}
	return h.view.render(c, http.StatusOK, templates.OrgHomePage(h.ws.frame(c, "Organizer workspace", "/organizer", ""), v), nil)
}
