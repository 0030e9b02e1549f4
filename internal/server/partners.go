package server

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/ttlcache"
)

// Partners are the organisations that put the campaign on their own sites
// through widgets and ?ref= links. This file holds what the server needs
// from the partner store, an in-memory directory of partners for the hot
// widget routes and the attribution of letters to partners. The pages
// where admins edit a partner and partners get their embed snippets are
// in partner_pages.go; the list of partners and the form that adds one
// are in organizer_users.go.

// PartnerStore reads and changes partners and answers the widgets' counts
// (implemented by sqlite.Partners).
type PartnerStore interface {
	Partners(ctx context.Context) ([]advocacy.Partner, error)
	PartnerBySlug(ctx context.Context, slug string) (advocacy.Partner, error)
	// UpdatePartner keeps the slug and source code; edits are audited.
	UpdatePartner(ctx context.Context, slug string, p advocacy.Partner, actor int64) (advocacy.Partner, error)
	// WidgetCounts counts a campaign's active letters, those since a time,
	// and those with a source code.
	WidgetCounts(ctx context.Context, campaignID int64, since time.Time, ref string) (advocacy.WidgetCounts, error)
}

// partnerTTL is how long the in-memory directory of partners is trusted.
// Edits made through this server show at once; others (another process,
// the command line) within this time.
const partnerTTL = 10 * time.Second

// partnerDirectory is every partner by source code, reloaded from the
// store when older than partnerTTL. Widget and count.json requests look
// partners up on every request, so they must not each cost a query; and a
// slow reload stalls nobody: while one request reloads, the others use the
// directory they have. A failed reload keeps the directory loaded before.
type partnerDirectory struct {
	store  PartnerStore // nil: no partners
	dir    *ttlcache.Cache[struct{}, map[string]advocacy.Partner]
	logger *slog.Logger
}

func newPartnerDirectory(store PartnerStore, clock func() time.Time, logger *slog.Logger) *partnerDirectory {
	return &partnerDirectory{store: store, logger: logger,
		dir: ttlcache.New(partnerTTL, clock, ttlcache.Options[struct{}, map[string]advocacy.Partner]{ServeStale: true})}
}

// partner finds the partner with source code code. ok is false for an
// empty or unknown code, or when partners are not wired.
func (pd *partnerDirectory) partner(ctx context.Context, code string) (advocacy.Partner, bool, error) {
	if pd.store == nil || code == "" || cleanRef(code) == "" {
		return advocacy.Partner{}, false, nil
	}
	dir := pd.dir
	byCode, err := dir.Get(ctx, struct{}{}, pd.loadPartners)
	if err != nil {
		old, ok := dir.Stale(struct{}{})
		if !ok {
			return advocacy.Partner{}, false, err
		}
		pd.logger.ErrorContext(ctx, "reload partners: using the directory loaded before", "err", err)
		byCode = old
	}
	p, ok := byCode[code]
	return p, ok, nil
}

// loadPartners reads the partner directory from the store.
func (pd *partnerDirectory) loadPartners(ctx context.Context) (map[string]advocacy.Partner, error) {
	list, err := pd.store.Partners(ctx)
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]advocacy.Partner, len(list))
	for _, p := range list {
		byCode[p.SourceCode] = p
	}
	return byCode, nil
}

// forget makes the next lookup reload the directory.
func (pd *partnerDirectory) forget() {
	pd.dir.Clear()
}

// knownRefs wraps the letter store so that a letter keeps its source code
// only when it names a partner: ?ref= links, widgets and the JSON API all
// end here, and an unknown code is dropped rather than stored. Without a
// partner store, source codes are kept as they come.
type knownRefs struct {
	LetterStore
	partners *partnerDirectory
}

// CreateLetter drops an unknown source code, then stores the letter. When
// the partners cannot be read, the code is kept as it came (it was checked
// for form): a letter is never lost over its attribution.
func (k knownRefs) CreateLetter(ctx context.Context, nl advocacy.NewLetter) (advocacy.CreatedLetter, error) {
	if ref := nl.Input.Ref; ref != "" && !advocacy.IsShareSource(ref) {
		// The codes of links shared after writing are the site's own.
		p, ok, err := k.partners.partner(ctx, ref)
		switch {
		case err != nil:
			k.partners.logger.ErrorContext(ctx, "check letter's source code", "err", err)
		case ok:
			nl.Input.Ref = p.SourceCode
		default:
			nl.Input.Ref = ""
		}
	}
	return k.LetterStore.CreateLetter(ctx, nl)
}

// attributeLetters puts knownRefs around the letter store, once.
func (s *Server) attributeLetters() {
	if s.deps.Partners == nil || s.deps.Letters.Store == nil {
		return
	}
	if _, done := s.deps.Letters.Store.(knownRefs); !done {
		s.deps.Letters.Store = knownRefs{LetterStore: s.deps.Letters.Store, partners: s.partnerDir}
	}
}

// siteOrigin is this site's origin for links that leave it (snippets,
// email shares): the configured base URL, else what the request says.
func siteOrigin(c echo.Context, baseURL string) string {
	if b := strings.TrimRight(baseURL, "/"); b != "" {
		return b
	}
	return c.Scheme() + "://" + c.Request().Host
}
