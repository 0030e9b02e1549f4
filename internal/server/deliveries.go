package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// DeliveryDesk is electronic delivery as organizers see it (implemented in
// cmd/whipcount over the letter store, the CWC settings and the Senate's
// office list).
type DeliveryDesk interface {
	// Health is each chamber's delivery health, House first.
	Health(ctx context.Context) ([]advocacy.ChamberHealth, error)
	// Retry re-sends held or failed deliveries for actor, audited, and
	// returns how many were queued again.
	Retry(ctx context.Context, r advocacy.RetryRequest, actor int64) (int, error)
	// OfficesChecked is when the Senate's office list was last fetched
	// (zero: never) and the last refresh's error.
	OfficesChecked() (time.Time, error)
}

// deliveries is electronic delivery as the workspace and monitors see
// it: the delivery health page, where held or failed letters are re-sent,
// the warning above every workspace page while delivery is held, and the
// lines of /healthz. It is mounted only when a delivery desk is wired.
type deliveries struct {
	// view renders pages; ws frames them (nil: no workspace, so only the
	// /healthz lines are used).
	view    *renderer
	ws      *workspace
	desk    DeliveryDesk
	members MemberDirectory
	logger  *slog.Logger
}

// newDeliveries builds the feature, or nil without a delivery desk.
func newDeliveries(s *Server, ws *workspace) *deliveries {
	if s.deps.Organizer.Deliveries == nil {
		return nil
	}
	return &deliveries{view: s.view, ws: ws, desk: s.deps.Organizer.Deliveries, members: s.deps.Members, logger: s.deps.Logger}
}

// routes mounts the delivery health page and the re-send on the workspace.
func (d *deliveries) routes(org *echo.Group) {
	org.GET("/deliveries", d.deliveryHealth)
	org.POST("/deliveries/retry", d.retryDeliveries)
}

// deliveryAlerts are the workspace-wide warnings about held delivery, for
// anyone who can act on them. Errors are logged: a page shows without them.
// A nil desk has nothing to warn about.
func deliveryAlerts(ctx context.Context, desk DeliveryDesk, logger *slog.Logger, a orgAuth) []templates.OrgAlert {
	if desk == nil || !a.user.Can(advocacy.PermDeliveries) {
		return nil
	}
	hs, err := desk.Health(ctx)
	if err != nil {
		logger.ErrorContext(ctx, "delivery health", "err", err)
		return nil
	}
	var out []templates.OrgAlert
	for _, h := range hs {
		if h.HeldSince.IsZero() || h.Held == 0 {
			continue
		}
		out = append(out, templates.OrgAlert{
			Text: fmt.Sprintf("Electronic delivery to the %s is held since %s: %d %s %s %s", chamberLabel(h.Chamber),
				orgTimestamp(h.HeldSince), h.Held, pluralWord(h.Held, "letter waits", "letters wait"), "for it.", h.HoldReason),
			Link: "/organizer/deliveries", LinkLabel: "See delivery health",
		})
	}
	return out
}

func chamberLabel(ch advocacy.Chamber) string {
	if ch == advocacy.Senate {
		return "Senate"
	}
	return "House"
}

// orgTimestamp writes a time for the workspace: "Dec 2, 2026 10:04 UTC".
func orgTimestamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("Jan 2, 2006 15:04 UTC")
}

// deliveryHealth serves GET /organizer/deliveries.
func (d *deliveries) deliveryHealth(c echo.Context) error {
	return d.renderDeliveryHealth(c, http.StatusOK, "")
}

func (d *deliveries) renderDeliveryHealth(c echo.Context, status int, problem string) error {
	a, err := need(c, advocacy.PermDeliveries)
	if err != nil {
		return err
	}
	desk := d.desk
	ctx := c.Request().Context()
	hs, err := desk.Health(ctx)
	if err != nil {
		return err
	}
	v := templates.DeliveryHealthView{Error: problem, CanViewOffices: a.user.Can(advocacy.PermViewOffices)}
	for _, h := range hs {
		v.Chambers = append(v.Chambers, chamberRow(h))
		if h.Chamber == advocacy.Senate {
			for _, o := range h.Offices {
				v.Disagreements = append(v.Disagreements, templates.OfficeDisagreementRow{
					Member: orgMember(d.members, o.BioguideID).Name, Derived: o.Derived, Listed: o.Listed})
			}
		}
	}
	if fetched, ferr := desk.OfficesChecked(); !fetched.IsZero() || ferr != nil {
		v.OfficesChecked, v.OfficesFetched = !fetched.IsZero(), orgTimestamp(fetched)
		if ferr != nil {
			v.OfficesError = ferr.Error()
		}
	}
	return d.view.render(c, status, templates.DeliveryHealthPage(d.ws.frame(c, "Delivery health", "/organizer/deliveries", ""), v), nil)
}

// chamberRow says where a chamber's delivery stands, in words.
func chamberRow(h advocacy.ChamberHealth) templates.ChamberHealthRow {
	name := chamberLabel(h.Chamber)
	r := templates.ChamberHealthRow{
		Key: string(h.Chamber), Name: name, Enabled: h.Enabled,
		Queued: h.Queued, Held: h.Held, Failed: h.Failed, SentLastDay: h.SentLastDay,
		OldestWaiting: "nothing waits", LastSent: orgTimestamp(h.LastSentAt),
		LastError: h.LastError, LastErrorAt: orgTimestamp(h.LastErrorAt),
	}
	if !h.OldestWaiting.IsZero() {
		r.OldestWaiting = orgTimestamp(h.OldestWaiting)
	}
	switch {
	case !h.HeldSince.IsZero():
		r.State, r.Tone = "Held", "error"
		r.HeldSince, r.HoldReason = orgTimestamp(h.HeldSince), h.HoldReason
		r.Summary = fmt.Sprintf("Held since %s: nothing goes to the %s until this is fixed. %d %s; none has failed because of it.",
			r.HeldSince, name, h.Held, pluralWord(h.Held, "letter waits", "letters wait"))
	case !h.Enabled:
		r.State, r.Tone = "Not set up", "warn"
		r.Summary = fmt.Sprintf("No CWC endpoint and key are set up for the %s, so its offices get letters through their senders.", name)
		if h.Waiting() > 0 {
			r.Summary += fmt.Sprintf(" %d %s from an earlier set-up.", h.Waiting(), pluralWord(h.Waiting(), "letter waits", "letters wait"))
		}
	case h.Queued > 0 && !h.LastErrorAt.IsZero() && h.LastErrorAt.After(h.LastSentAt):
		r.State, r.Tone = "Retrying", "warn"
		r.Summary = fmt.Sprintf("CWC did not take the last attempt; %d %s and will be retried with growing waits.",
			h.Queued, pluralWord(h.Queued, "letter waits", "letters wait"))
	default:
		r.State, r.Tone = "Working", "ok"
		r.Summary = fmt.Sprintf("Letters go to the %s as they are written.", name)
	}
	return r
}

// retryDeliveries serves POST /organizer/deliveries/retry: re-send a
// chamber's held or failed letters.
func (d *deliveries) retryDeliveries(c echo.Context) error {
	a, err := need(c, advocacy.PermDeliveries)
	if err != nil {
		return err
	}
	r := advocacy.RetryRequest{Chamber: advocacy.Chamber(c.FormValue("chamber"))}
	switch c.FormValue("which") {
	case "held":
		r.Held = true
	case "failed":
		r.Failed = true
	}
	if r.Chamber != advocacy.House && r.Chamber != advocacy.Senate || !r.Valid() {
		return d.renderDeliveryHealth(c, http.StatusUnprocessableEntity, "Choose the held or failed letters of the House or the Senate to re-send.")
	}
	n, err := d.desk.Retry(c.Request().Context(), r, a.user.ID)
	var de *advocacy.Error
	if errors.As(err, &de) && (de.Code == advocacy.CodeInvalid || de.Code == advocacy.CodeConflict) {
		return d.renderDeliveryHealth(c, http.StatusUnprocessableEntity, de.Message)
	}
	if err != nil {
		return err
	}
	d.logger.InfoContext(c.Request().Context(), "deliveries re-sent", "chamber", r.Chamber, "held", r.Held, "failed", r.Failed, "deliveries", n)
	return orgSeeOther(c, orgWithDone("/organizer/deliveries", "resent"))
}

// healthLines are /healthz's details on electronic delivery, one
// line per chamber ("cwc senate: held since ...: reason"). Held delivery
// does not make the app unhealthy (a restart would not fix it), so the
// status stays 200; monitors read the lines. Safe on nil.
func (d *deliveries) healthLines(ctx context.Context) string {
	if d == nil {
		return ""
	}
	hs, err := d.desk.Health(ctx)
	if err != nil {
		return "cwc: unknown (" + err.Error() + ")\n"
	}
	var b strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&b, "cwc %s: ", h.Chamber)
		switch {
		case !h.HeldSince.IsZero():
			fmt.Fprintf(&b, "held since %s, %d waiting: %s\n", h.HeldSince.UTC().Format(time.RFC3339), h.Held, h.HoldReason)
		case !h.Enabled:
			b.WriteString("not configured\n")
		default:
			fmt.Fprintf(&b, "ok, %d queued, %d failed\n", h.Queued, h.Failed)
		}
	}
	return b.String()
}
