package letters

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// stagedMailError is a mail error classified the way the mailer classifies
// its own.
type stagedMailError struct{ stage string }

func (e stagedMailError) Error() string     { return "mail failed: 550 <someone@example.org> unknown" }
func (e stagedMailError) MailStage() string { return e.stage }

func TestMailFailure(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("send receipt: %w", stagedMailError{"rejected"}), "rejected"},
		{stagedMailError{"tls"}, "tls"},
		{fmt.Errorf("send: %w", context.DeadlineExceeded), "timeout"},
		{errors.New("550 timeout for someone@example.org"), "smtp"}, // never read from the text
	}
	for _, tt := range tests {
		if got := mailFailure(tt.err); got != tt.want {
			t.Errorf("mailFailure(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
