package advocacy

import "strings"

// ShareNetwork is a way to pass a campaign on after writing.
type ShareNetwork struct {
	// Key is the network's part of its source code ("email").
	Key string
	// Label names it for people ("Email", "Facebook").
	Label string
}

// ShareNetworks are the ways the site offers to share a campaign, in the
// order it shows them.
func ShareNetworks() []ShareNetwork {
	return []ShareNetwork{
		{"link", "Copy the link"}, {"email", "Email"}, {"whatsapp", "WhatsApp"}, {"facebook", "Facebook"},
		{"x", "X (Twitter)"}, {"bluesky", "Bluesky"}, {"linkedin", "LinkedIn"}, {"reddit", "Reddit"},
	}
}

// shareSourcePrefix starts the source codes of shared links.
const shareSourcePrefix = "share-"

// ShareSource is the source code a link shared on network carries
// ("share-email"), so the campaign sees which shares bring letters.
func ShareSource(network string) string { return shareSourcePrefix + network }

// IsShareSource reports whether code is the source code of a shared link.
func IsShareSource(code string) bool {
	n, ok := strings.CutPrefix(code, shareSourcePrefix)
	if !ok {
		return false
	}
	for _, s := range ShareNetworks() {
		if s.Key == n {
			return true
		}
	}
	return false
}

// ShareSourceLabel names a shared link's source code for the dashboard:
// "Shared by email". ok is false for other codes.
func ShareSourceLabel(code string) (string, bool) {
	n, _ := strings.CutPrefix(code, shareSourcePrefix)
	for _, s := range ShareNetworks() {
		if IsShareSource(code) && s.Key == n {
			if s.Key == "link" {
				return "Shared link", true
			}
			return "Shared on " + s.Label, true
		}
	}
	return "", false
}
