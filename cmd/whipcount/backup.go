package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/whipcount/whipcount/internal/sqlite"
)

// backupCmd runs "whipcount backup -db PATH -out FILE": a consistent copy
// taken while the server keeps running.
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "whipcount.db", "database `PATH` to copy")
	out := fs.String("out", "", "backup `FILE` to write (must not exist)")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "usage: whipcount backup -db PATH -out FILE")
		return errUsage
	}
	start := time.Now()
	if err := sqlite.Backup(ctx, *dbPath, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s in %s; integrity check ok\n", *dbPath, *out, time.Since(start).Round(time.Millisecond))
	return nil
}

// restoreCmd runs "whipcount restore -in FILE -db PATH" with the server
// stopped: it checks the backup, keeps the current database aside and
// installs the backup in its place.
func restoreCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "backup `FILE` to restore")
	dbPath := fs.String("db", "whipcount.db", "database `PATH` to replace (stop the server first)")
	resend := fs.Bool("resend", false, "queue the backup's unsent deliveries again even when the current database cannot tell which were sent since")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if *in == "" {
		fmt.Fprintln(stderr, "usage: whipcount restore -in FILE -db PATH")
		return errUsage
	}
	rep, err := sqlite.Restore(ctx, *in, *dbPath, time.Now(), sqlite.RestoreOptions{Resend: *resend})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s to %s\n", *in, *dbPath)
	if rep.AlreadySent > 0 {
		fmt.Fprintf(stdout, "%d deliveries waiting in the backup were sent since it was taken: they will not be sent again\n", rep.AlreadySent)
	}
	if rep.Kept != "" {
		fmt.Fprintf(stdout, "the previous database is kept as %s\n", rep.Kept)
	}
	if rep.NewerLetters > 0 {
		fmt.Fprintf(stdout, "warning: %d letters in the previous database are newer than the backup; they are only in %s\n", rep.NewerLetters, rep.Kept)
	}
	return nil
}
