package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// moderationPageSize is how many held letters one page of the queue shows.
const moderationPageSize = 50

// moderation shows the queue of held letters, oldest first.
func (s *Server) moderation(c echo.Context) error {
	if _, err := s.need(c, advocacy.PermModerate); err != nil {
		return err
	}
	return s.renderModeration(c, http.StatusOK, nil)
}

func (s *Server) renderModeration(c echo.Context, status int, errs map[string]string) error {
	if s.deps.Organizer.Moderation == nil {
		return echo.ErrNotFound
	}
	after, _ := strconv.ParseInt(c.QueryParam("after"), 10, 64)
	held, total, err := s.deps.Organizer.Moderation.Held(c.Request().Context(), after, moderationPageSize)
	if err != nil {
		return err
	}
	v := templates.ModerationView{Total: total, Errors: errs}
	for _, h := range held {
		v.Letters = append(v.Letters, s.heldRow(h))
	}
	if len(held) == moderationPageSize {
		v.NextURL = "/organizer/moderation?after=" + strconv.FormatInt(held[len(held)-1].Letter.ID, 10)
	}
	m := s.orgMeta(c, "Moderation", "/organizer/moderation", "")
	return s.render(c, status, templates.ModerationPage(m, v), nil)
}

func (s *Server) heldRow(h advocacy.HeldLetter) templates.HeldRow {
	l := h.Letter
	place := l.City + ", " + l.State
	dr := advocacy.DistrictResult{State: l.State, District: l.District}
	place += " (" + dr.Code() + ")"
	r := templates.HeldRow{ID: strconv.FormatInt(l.ID, 10), Campaign: h.CampaignSlug, Written: l.CreatedAt.UTC().Format("Jan 2, 2006 15:04 UTC"),
		WrittenISO: csvTime(l.CreatedAt), Name: strings.TrimSpace(l.Prefix + " " + l.FirstName + " " + l.LastName),
		Email: l.Email, Place: place, Ref: l.Ref, Personal: l.PersonalMessage, Reason: l.HoldReason}
	for _, d := range l.Deliveries {
		r.Recipients = append(r.Recipients, s.orgMember(d.BioguideID).Label())
	}
	return r
}

// approveLetter releases a held letter to delivery.
func (s *Server) approveLetter(c echo.Context) error {
	a, err := s.need(c, advocacy.PermModerate)
	if err != nil {
		return err
	}
	id, err := orgParamID(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.Organizer.Moderation.Approve(c.Request().Context(), id, a.user.ID); err != nil {
		return err
	}
	return s.decided(c, id, "approved", "Approved: the letter goes to delivery and counts.")
}

// rejectLetter refuses a held letter for a reason.
func (s *Server) rejectLetter(c echo.Context) error {
	a, err := s.need(c, advocacy.PermModerate)
	if err != nil {
		return err
	}
	id, err := orgParamID(c, "id")
	if err != nil {
		return err
	}
	err = s.deps.Organizer.Moderation.Reject(c.Request().Context(), id, c.FormValue("reason"), a.user.ID)
	if advocacy.ErrorCode(err) == advocacy.CodeInvalid {
		return s.renderModeration(c, http.StatusUnprocessableEntity,
			map[string]string{strconv.FormatInt(id, 10): "Give a reason for rejecting this letter (it is kept with the decision)."})
	}
	if err != nil {
		return err
	}
	return s.decided(c, id, "rejected", "Rejected: the letter will not be delivered or counted.")
}

// decided answers a decision: htmx swaps the letter's card for a short
// notice; a plain form goes back to the queue.
func (s *Server) decided(c echo.Context, id int64, code, msg string) error {
	if isFragment(c) {
		frag := templates.HeldDecided(strconv.FormatInt(id, 10), msg)
		return s.render(c, http.StatusOK, frag, frag)
	}
	return c.Redirect(http.StatusSeeOther, orgWithDone("/organizer/moderation", code))
}
