package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// moderationDesk is the moderation queue of the workspace: the letters
// held by the abuse controls or the confirmation, and the decisions on
// them. It is mounted only when the queue is wired.
type moderationDesk struct {
	view *renderer
	ws   *workspace
	// store is the queue; members names the recipients (nil: by their IDs).
	store   ModerationStore
	members MemberDirectory
}

// newModerationDesk builds the feature, or nil without the queue.
func newModerationDesk(s *Server, ws *workspace) *moderationDesk {
	if s.deps.Organizer.Moderation == nil {
		return nil
	}
	return &moderationDesk{view: s.view, ws: ws, store: s.deps.Organizer.Moderation, members: s.deps.Members}
}

// routes mounts the queue and its decisions on the workspace.
func (m *moderationDesk) routes(org *echo.Group) {
	org.GET("/moderation", m.moderation)
	org.POST("/moderation/:id/approve", m.approveLetter)
	org.POST("/moderation/:id/reject", m.rejectLetter)
}

// moderationPageSize is how many held letters one page of the queue shows.
const moderationPageSize = 50

// moderation shows the queue of held letters, oldest first.
func (m *moderationDesk) moderation(c echo.Context) error {
	if _, err := need(c, advocacy.PermModerate); err != nil {
		return err
	}
	return m.renderModeration(c, http.StatusOK, nil)
}

func (m *moderationDesk) renderModeration(c echo.Context, status int, errs map[string]string) error {
	after, _ := strconv.ParseInt(c.QueryParam("after"), 10, 64)
	held, total, err := m.store.Held(c.Request().Context(), after, moderationPageSize)
	if err != nil {
		return err
	}
	v := templates.ModerationView{Total: total, Errors: errs}
	for _, h := range held {
		v.Letters = append(v.Letters, m.heldRow(h))
	}
	if len(held) == moderationPageSize {
		v.NextURL = "/organizer/moderation?after=" + strconv.FormatInt(held[len(held)-1].Letter.ID, 10)
	}
	meta := m.ws.frame(c, "Moderation", "/organizer/moderation", "")
	return m.view.render(c, status, templates.ModerationPage(meta, v), nil)
}

func (m *moderationDesk) heldRow(h advocacy.HeldLetter) templates.HeldRow {
	l := h.Letter
	place := l.City + ", " + l.State
	dr := advocacy.DistrictResult{State: l.State, District: l.District}
	place += " (" + dr.Code() + ")"
	r := templates.HeldRow{ID: strconv.FormatInt(l.ID, 10), Campaign: h.CampaignSlug, Written: l.CreatedAt.UTC().Format("Jan 2, 2006 15:04 UTC"),
		WrittenISO: csvTime(l.CreatedAt), Name: strings.TrimSpace(l.Prefix + " " + l.FirstName + " " + l.LastName),
		Email: l.Email, Place: place, Ref: l.Ref, Personal: l.PersonalMessage, Reason: l.HoldReason}
	for _, d := range l.Deliveries {
		r.Recipients = append(r.Recipients, orgMember(m.members, d.BioguideID).Label())
	}
	return r
}

// approveLetter releases a held letter to delivery.
func (m *moderationDesk) approveLetter(c echo.Context) error {
	a, err := need(c, advocacy.PermModerate)
	if err != nil {
		return err
	}
	id, err := orgParamID(c, "id")
	if err != nil {
		return err
	}
	if err := m.store.Approve(c.Request().Context(), id, a.user.ID); err != nil {
		return err
	}
	return m.decided(c, id, "approved", "Approved: the letter goes to delivery and counts.")
}

// rejectLetter refuses a held letter for a reason.
func (m *moderationDesk) rejectLetter(c echo.Context) error {
	a, err := need(c, advocacy.PermModerate)
	if err != nil {
		return err
	}
	id, err := orgParamID(c, "id")
	if err != nil {
		return err
	}
	err = m.store.Reject(c.Request().Context(), id, c.FormValue("reason"), a.user.ID)
	if advocacy.ErrorCode(err) == advocacy.CodeInvalid {
		return m.renderModeration(c, http.StatusUnprocessableEntity,
			map[string]string{strconv.FormatInt(id, 10): "Give a reason for rejecting this letter (it is kept with the decision)."})
	}
	if err != nil {
		return err
	}
	return m.decided(c, id, "rejected", "Rejected: the letter will not be delivered or counted.")
}

// decided answers a decision: htmx swaps the letter's card for a short
// notice; a plain form goes back to the queue.
func (m *moderationDesk) decided(c echo.Context, id int64, code, msg string) error {
	if isFragment(c) {
		frag := templates.HeldDecided(strconv.FormatInt(id, 10), msg)
		return m.view.render(c, http.StatusOK, frag, frag)
	}
	return c.Redirect(http.StatusSeeOther, orgWithDone("/organizer/moderation", code))
}
