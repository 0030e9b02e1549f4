package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/shareimage"
	"github.com/whipcount/whipcount/templates"
)

// shareRuntime holds the site's icons, drawn once. (The campaigns' share
// cards are kept by the campaign pages.)
type shareRuntime struct {
	iconOnce sync.Once
	ico      []byte
	touch    []byte
	iconErr  error
}

type shareCard struct {
	version string
	png     []byte
}

// cardLine is the call to action under a campaign's title on its card.
const cardLine = "Ask your members of Congress to sign on. It takes two minutes."

// cardVersion is the version a campaign's card URL carries: it changes
// when the title does, so the card may be cached for long.
func cardVersion(title string) string {
	sum := sha256.Sum256([]byte(title + "\x00" + cardLine))
	return hex.EncodeToString(sum[:6])
}

// cardURL is the path of a campaign's share card.
func cardURL(camp advocacy.Campaign) string {
	return "/campaigns/" + camp.Slug + "/share.png?v=" + cardVersion(camp.Title)
}

func (s *Server) icons() ([]byte, []byte, error) {
	s.share.iconOnce.Do(func() {
		if s.share.ico, s.share.iconErr = shareimage.FaviconICO(); s.share.iconErr != nil {
			return
		}
		s.share.touch, s.share.iconErr = shareimage.IconPNG(180)
	})
	return s.share.ico, s.share.touch, s.share.iconErr
}

// favicon serves /favicon.ico.
func (s *Server) favicon(c echo.Context) error {
	ico, _, err := s.icons()
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=604800")
	return c.Blob(http.StatusOK, "image/x-icon", ico)
}

// touchIcon serves /apple-touch-icon.png, the icon phones put on a home
// screen.
func (s *Server) touchIcon(c echo.Context) error {
	_, png, err := s.icons()
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=604800")
	return c.Blob(http.StatusOK, "image/png", png)
}

// shareCardImage serves /campaigns/{slug}/share.png: the picture a link to
// the campaign shows when posted. With the current version in its URL it
// is cached for a year.
func (p *campaignPages) shareCardImage(c echo.Context) error {
	camp, err := public(p.campaigns.Campaign(c.Request().Context(), c.Param("slug")))
	if err != nil {
		return err
	}
	v := cardVersion(camp.Title)
	p.mu.Lock()
	card, ok := p.cards[camp.Slug]
	p.mu.Unlock()
	if !ok || card.version != v {
		b, err := shareimage.Card(camp.Title, cardLine)
		if err != nil {
			return err
		}
		card = shareCard{version: v, png: b}
		p.mu.Lock()
		p.cards[camp.Slug] = card
		p.mu.Unlock()
	}
	if c.QueryParam("v") == v {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
	}
	return c.Blob(http.StatusOK, "image/png", card.png)
}

// shareMeta is what a page tells social networks: its address and the
// campaign's card. Both must be absolute, so they are given only when the
// site's public address (-base-url) is known: a Host header is not to be
// trusted on pages that are cached for everyone.
func (r *renderer) shareMeta(c echo.Context, camp advocacy.Campaign) templates.ShareMeta {
	base := r.baseURL
	sm := templates.ShareMeta{ImageAlt: camp.Title + ": ask your members of Congress to sign on"}
	if base == "" {
		return sm
	}
	u := *c.Request().URL
	q := url.Values{}
	if ref := cleanRef(u.Query().Get("ref")); ref != "" {
		q.Set("ref", ref)
	}
	sm.URL = base + u.Path
	if len(q) > 0 {
		sm.URL += "?" + q.Encode()
	}
	sm.Image = base + cardURL(camp)
	return sm
}

// pageCampaign is the campaign whose sponsor and card a page shows: the
// home campaign, when one runs. Errors only cost the page its footer line.
func (r *campaignReader) pageCampaign(ctx context.Context) (advocacy.Campaign, bool) {
	if !r.enabled() {
		return advocacy.Campaign{}, false
	}
	camp, err := r.memoCampaign(ctx, r.homeCampaign)
	if err != nil || camp.Status == advocacy.CampaignDraft {
		return advocacy.Campaign{}, false
	}
	return camp, true
}

// sponsorView is a campaign's sponsor for the footer; nil when nobody is
// named.
func sponsorView(sp advocacy.Sponsor) *templates.SponsorView {
	if sp.Name == "" && sp.PaidForBy == "" {
		return nil
	}
	return &templates.SponsorView{Name: sp.Name, URL: sp.URL, Email: sp.Email, About: sp.About, PaidForBy: sp.PaidForBy}
}

// shareView is the "ask friends to write too" block after sending: the
// campaign's link for each network, carrying the letter's partner code
// (its partner keeps the credit) or the network's own source code.
func (r *renderer) shareView(c echo.Context, camp advocacy.Campaign, letterRef string) *templates.ShareView {
	if camp.Slug == "" || camp.Status != advocacy.CampaignActive {
		return nil
	}
	origin := siteOrigin(c, r.baseURL)
	link := func(network string) string {
		ref := letterRef
		if ref == "" || advocacy.IsShareSource(ref) {
			ref = advocacy.ShareSource(network)
		}
		return campaignLink(origin, camp.Slug, ref)
	}
	msg := "I just wrote to my members of Congress about “" + camp.Title + "”. It takes two minutes:"
	v := &templates.ShareView{Message: msg, LinkURL: link("link")}
	esc := url.QueryEscape
	for _, n := range advocacy.ShareNetworks() {
		u := link(n.Key)
		var href string
		switch n.Key {
		case "link":
			continue
		case "email":
			href = mailtoURL("Write to Congress: "+camp.Title, msg+" "+u)
		case "whatsapp":
			href = "https://wa.me/?text=" + esc(msg+" "+u)
		case "facebook":
			href = "https://www.facebook.com/sharer/sharer.php?u=" + esc(u)
		case "x":
			href = "https://x.com/intent/post?text=" + esc(msg) + "&url=" + esc(u)
		case "bluesky":
			href = "https://bsky.app/intent/compose?text=" + esc(msg+" "+u)
		case "linkedin":
			href = "https://www.linkedin.com/sharing/share-offsite/?url=" + esc(u)
		case "reddit":
			href = "https://www.reddit.com/submit?url=" + esc(u) + "&title=" + esc(camp.Title)
		default:
			continue
		}
		v.Links = append(v.Links, templates.ShareLink{Network: n.Key, Label: n.Label, URL: href})
	}
	return v
}
