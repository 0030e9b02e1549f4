package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/templates"
)

// home serves the campaign home page.
func (s *Server) home(c echo.Context) error {
	v := templates.LookupView{LocationURL: "/reps"}
	return s.render(c, http.StatusOK, templates.HomePage(s.meta(c, "Whipcount", "/"), v), nil)
}
