package server

import (
	"context"
	"encoding/csv"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// Exports stream CSV straight from the store's pages to the client: each
// page (a thousand rows read in one short transaction) is written and
// flushed before the next is read, so memory stays flat whatever the size
// and the client sees data at once.

// partnerLister lists the partners, for naming source codes.
type partnerLister interface {
	Partners(ctx context.Context) ([]advocacy.Partner, error)
}

// exports are a campaign's downloads: its letters (filtered) and the
// contacts who asked for news. They are mounted when the export store is
// wired.
type exports struct {
	view      *renderer
	ws        *workspace
	store     ExportStore
	campaigns CampaignStore
	partners  partnerLister
	logger    *slog.Logger
}

// newExports builds the exports, or nil without the export store or the
// campaigns.
func newExports(s *Server, ws *workspace) *exports {
	if s.deps.Organizer.Exports == nil || s.deps.Campaigns == nil {
		return nil
	}
	return &exports{view: s.view, ws: ws, store: s.deps.Organizer.Exports, campaigns: s.deps.Campaigns,
		partners: s.deps.Organizer.Users, logger: s.deps.Logger}
}

// routes mounts the exports page and its downloads on the workspace.
func (x *exports) routes(org *echo.Group) {
	org.GET("/campaigns/:slug/exports", x.exportsPage)
	org.GET("/campaigns/:slug/exports/letters.csv", x.exportLetters)
	org.GET("/campaigns/:slug/exports/contacts.csv", x.exportContacts)
}

var exportFilterFields = []string{"from", "to", "state", "district", "status", "delivery", "partner"}

// exportsPage shows the export links and the letters filter form.
func (x *exports) exportsPage(c echo.Context) error {
	if _, err := need(c, advocacy.PermExport); err != nil {
		return err
	}
	return x.renderExports(c, http.StatusOK, nil)
}

func (x *exports) renderExports(c echo.Context, status int, errs map[string]string) error {
	camp, err := orgCampaign(c, x.campaigns)
	if err != nil {
		return err
	}
	v := templates.ExportView{Slug: camp.Slug, Title: camp.Title, Form: map[string]string{}, Errors: errs}
	for _, f := range exportFilterFields {
		v.Form[f] = c.QueryParam(f)
	}
	partners, err := x.partners.Partners(c.Request().Context())
	if err != nil {
		return err
	}
	for _, p := range partners {
		v.Partners = append(v.Partners, templates.CountRow{Key: p.SourceCode, Label: p.Name})
	}
	m := x.ws.frame(c, camp.Title+": exports", orgCampaignURL(camp.Slug, "exports"), camp.Slug)
	return x.view.render(c, status, templates.ExportsPage(m, v), nil)
}

var letterExportHeader = []string{
	"letter_id", "created_at", "letter_status", "state", "district", "settled_by", "prefix", "first_name", "last_name",
	"address1", "address2", "city", "zip", "email", "phone", "title", "organization", "personal_message", "ref",
	"newsletter", "receipt", "delivery_id", "bioguide_id", "office_code", "chamber", "channel", "delivery_status",
	"attempts", "sent_at", "confirmed_at", "last_error",
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func csvBool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// flushCSV pushes what the CSV writer holds to the client now.
func flushCSV(c echo.Context, w *csv.Writer) error {
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Flush()
	return nil
}

// abortStream ends a download that failed after its first bytes were sent:
// the status cannot change any more, so the connection is cut and the
// client sees an incomplete transfer instead of a file that looks whole.
func (x *exports) abortStream(c echo.Context, what string, err error) {
	x.logger.ErrorContext(c.Request().Context(), "export failed mid-stream", "export", what, "err", err)
	panic(http.ErrAbortHandler)
}

// exportLetters streams the campaign's letters, one row per delivery.
func (x *exports) exportLetters(c echo.Context) error {
	if _, err := need(c, advocacy.PermExport); err != nil {
		return err
	}
	f, err := advocacy.ParseExportFilter(c.QueryParam)
	if err != nil {
		if de, ok := err.(*advocacy.Error); ok {
			return x.renderExports(c, http.StatusUnprocessableEntity, de.Fields)
		}
		return err
	}
	camp, err := orgCampaign(c, x.campaigns)
	if err != nil {
		return err
	}
	w := startCSV(c, camp.Slug+"-letters.csv")
	if err := w.Write(letterExportHeader); err != nil {
		return nil
	}
	record := make([]string, 0, len(letterExportHeader))
	err = x.store.Letters(c.Request().Context(), camp.ID, f, func(rows []advocacy.ExportRow) error {
		for _, r := range rows {
			l, d := r.Letter, r.Delivery
			record = append(record[:0], l.PublicID, csvTime(l.CreatedAt), string(l.Status), l.State, strconv.Itoa(l.District),
				string(l.SettledBy), l.Prefix, l.FirstName, l.LastName, l.Address1, l.Address2, l.City, l.Zip, l.Email, l.Phone,
				l.Title, l.Organization, l.PersonalMessage, l.Ref, csvBool(l.Newsletter), csvBool(l.Receipt), d.DeliveryID,
				d.BioguideID, d.OfficeCode, string(d.Chamber), string(d.Channel), string(d.Status), strconv.Itoa(d.Attempts),
				csvTime(d.SentAt), csvTime(d.ConfirmedAt), d.LastError)
			if err := w.Write(csvSafe(record...)); err != nil {
				return err
			}
		}
		return flushCSV(c, w)
	})
	if err != nil {
		x.abortStream(c, "letters", err)
	}
	return flushCSV(c, w)
}

// exportContacts streams the constituents who asked for news.
func (x *exports) exportContacts(c echo.Context) error {
	if _, err := need(c, advocacy.PermExport); err != nil {
		return err
	}
	camp, err := orgCampaign(c, x.campaigns)
	if err != nil {
		return err
	}
	w := startCSV(c, camp.Slug+"-contacts.csv")
	if err := w.Write([]string{"email", "first_name", "last_name", "zip", "state", "district", "organization",
		"letters", "first_letter", "last_letter"}); err != nil {
		return nil
	}
	err = x.store.Contacts(c.Request().Context(), camp.ID, func(rows []advocacy.Contact) error {
		for _, r := range rows {
			if err := w.Write(csvSafe(r.Email, r.FirstName, r.LastName, r.Zip, r.State, strconv.Itoa(r.District), r.Organization,
				strconv.Itoa(r.Letters), csvTime(r.FirstLetter), csvTime(r.LastLetter))); err != nil {
				return err
			}
		}
		return flushCSV(c, w)
	})
	if err != nil {
		x.abortStream(c, "contacts", err)
	}
	return flushCSV(c, w)
}
