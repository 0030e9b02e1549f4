package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// auditLog is the audit log's page for admins: who changed what, newest
// first. It is mounted when the audit log is wired.
type auditLog struct {
	view  *renderer
	ws    *workspace
	audit AuditReader
}

// newAuditLog builds the page, or nil without the audit log.
func newAuditLog(s *Server, ws *workspace) *auditLog {
	if s.deps.Organizer.Audit == nil {
		return nil
	}
	return &auditLog{view: s.view, ws: ws, audit: s.deps.Organizer.Audit}
}

func (l *auditLog) routes(org *echo.Group) {
	org.GET("/audit", l.page)
}

// page shows the audit log, newest first, a page at a time (admins).
func (l *auditLog) page(c echo.Context) error {
	if _, err := need(c, advocacy.PermViewAudit); err != nil {
		return err
	}
	const pageSize = 50
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	entries, err := l.audit.AuditLog(c.Request().Context(), before, pageSize)
	if err != nil {
		return err
	}
	v := templates.AuditView{}
	for _, e := range entries {
		who := e.UserEmail
		if e.UserID == 0 {
			who = "command line"
		}
		v.Entries = append(v.Entries, templates.AuditRow{ID: strconv.FormatInt(e.ID, 10), When: e.CreatedAt.UTC().Format("Jan 2, 2006 15:04:05 UTC"),
			ISO: csvTime(e.CreatedAt), Who: who, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Before: e.Before, After: e.After})
	}
	if len(entries) == pageSize {
		v.NextURL = "/organizer/audit?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return l.view.render(c, http.StatusOK, templates.AuditPage(l.ws.frame(c, "Audit log", "/organizer/audit", ""), v), nil)
}
