package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
)

const userUsage = `usage:
  whipcount user add -email EMAIL [-role admin|organizer|partner] [-partner CODE] [-db PATH]
  whipcount user list [-db PATH]
  whipcount user disable -email EMAIL [-db PATH]
  whipcount user enable -email EMAIL [-db PATH]

add creates an organizer-workspace account. When a password is piped in on
standard input (its first line), that is the password; otherwise one is
generated and printed once. A partner viewer (-role partner) needs -partner,
the source code of a partner an admin created in the workspace.

disable ends the account's sessions at once; the last admin cannot be
disabled. Every change is written to the audit log, as made from the command
line.
`

// userCmd runs "whipcount user ...". stdin may carry the new password.
func userCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 1 {
		fmt.Fprint(stderr, userUsage)
		return errUsage
	}
	sub := args[0]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, userUsage); fs.PrintDefaults() }
	dbPath := fs.String("db", "whipcount.db", "SQLite database `PATH`")
	email := fs.String("email", "", "the account's `EMAIL` address")
	role := fs.String("role", string(advocacy.RoleOrganizer), "`ROLE`: admin, organizer or partner")
	partner := fs.String("partner", "", "source `CODE` of the partner a partner viewer belongs to")
	switch sub {
	case "add", "list", "disable", "enable":
	default:
		fmt.Fprint(stderr, userUsage)
		return errUsage
	}
	if err := parseFlags(fs, args[1:], getenv); err != nil {
		return err
	}
	if fs.NArg() != 0 || (sub != "list" && *email == "") {
		fs.Usage()
		return errUsage
	}
	store, err := sqlite.Open(ctx, *dbPath, db.Migrations)
	if err != nil {
		return err
	}
	defer store.Close()
	users := sqlite.NewUsers(store, time.Now)

	switch sub {
	case "add":
		return userAdd(ctx, users, advocacy.NewUser{Email: *email, Role: advocacy.Role(*role), PartnerCode: *partner}, stdin, stdout)
	case "list":
		list, err := users.ListUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tROLE\tPARTNER\tSTATUS\tCREATED")
		for _, u := range list {
			status := "active"
			if u.Disabled() {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Email, u.Role, u.PartnerCode, status, u.CreatedAt.Format(time.DateOnly))
		}
		return tw.Flush()
	default:
		u, _, err := users.UserForLogin(ctx, *email)
		if err != nil {
			return fmt.Errorf("%s %s: %w", sub, *email, err)
		}
		if _, err := users.SetDisabled(ctx, u.ID, sub == "disable", 0); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %sd\n", u.Email, sub)
		return nil
	}
}

// userAdd creates the account, with the password from stdin or generated.
func userAdd(ctx context.Context, users *sqlite.Users, nu advocacy.NewUser, stdin io.Reader, stdout io.Writer) error {
	nu, err := advocacy.ValidateNewUser(nu)
	if err != nil {
		return userError(err)
	}
	password, piped, err := readPiped(stdin)
	if err != nil {
		return err
	}
	if !piped {
		if password, err = advocacy.GeneratePassword(rand.Reader); err != nil {
			return err
		}
	}
	if err := advocacy.ValidatePassword(password, nu.Email); err != nil {
		return userError(err)
	}
	if nu.PasswordHash, err = advocacy.HashPassword(password, advocacy.DefaultPasswordParams, rand.Reader); err != nil {
		return err
	}
	u, err := users.CreateUser(ctx, nu, 0)
	if err != nil {
		return userError(err)
	}
	fmt.Fprintf(stdout, "created %s (%s)\n", u.Email, u.Role.Label())
	if !piped {
		fmt.Fprintf(stdout, "password: %s\n(shown only now; they can change it under Account after signing in)\n", password)
	}
	return nil
}

// readPiped reads the first line of stdin when it is a pipe or a file, not
// a terminal. piped is false when nothing was piped in.
func readPiped(stdin io.Reader) (line string, piped bool, err error) {
	if stdin == nil {
		return "", false, nil
	}
	if f, ok := stdin.(*os.File); ok {
		st, err := f.Stat()
		if err != nil || st.Mode()&os.ModeCharDevice != 0 {
			return "", false, nil
		}
	}
	l, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password from standard input: %w", err)
	}
	l = strings.TrimRight(l, "\r\n")
	if l == "" {
		return "", false, nil
	}
	return l, true, nil
}

// userError words a validation error for the terminal.
func userError(err error) error {
	var de *advocacy.Error
	if errors.As(err, &de) && len(de.Fields) > 0 {
		var parts []string
		for field, msg := range de.Fields {
			parts = append(parts, field+": "+msg)
		}
		return errors.New(strings.Join(parts, "; "))
	}
	return err
}
