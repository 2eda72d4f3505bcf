package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"pitlane/backup"
	"pitlane/control"
	"pitlane/media"
	"pitlane/store"
)

func cmdBackup(ctx context.Context, e *env, args []string) error {
	var to, passFile, recipient *string
	dir, err := dataCommand(e, "backup", args, func(fs *flag.FlagSet) {
		to = fs.String("to", "", "folder to write the backup to (default: the folder set on the Backups page)")
		passFile = fs.String("passphrase-file", "", "encrypt with the passphrase on this file's first line (- reads it from standard input)")
		recipient = fs.String("recipient", "", "encrypt to this age public key (age1…; default: the one set on the Backups page)")
	})
	if err != nil {
		return err
	}
	if *passFile != "" && *recipient != "" {
		return usageErrorf("backup: give --passphrase-file or --recipient, not both")
	}
	req := control.BackupRequest{Recipient: strings.TrimSpace(*recipient)}
	if *to != "" {
		if req.Folder, err = filepath.Abs(*to); err != nil {
			return err
		}
	}
	if *passFile != "" {
		if req.Passphrase, err = readPassphrase(e, *passFile, true); err != nil {
			return err
		}
	}
	admin, closer, err := connect(dir, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	if l, ok := admin.(control.Local); ok {
		m, err := media.Open(dir)
		if err != nil {
			return err
		}
		// The outcome is the command's own output; a log would repeat it.
		// Nobody is using the stopped appliance: no need to pace.
		l.Backups = backup.NewRunner(backup.Config{Store: l.Store, Media: m, Version: version,
			Logger: slog.New(slog.DiscardHandler), CPUShare: 1})
		admin = l
	}
	where := req.Folder
	if where == "" {
		where = "the folder set on the Backups page"
	}
	fmt.Fprintf(e.stderr, "Backing up %s into %s…\n", dir, where)
	rec, err := admin.Backup(ctx, req)
	if err != nil {
		if e, ok := store.AsError(err); ok && len(e.Fields) == 1 && e.Fields[0].Key == "backup.error.no_folder" {
			return usageErrorf("backup: say where to write it with --to DIR, or set the folder on the Backups page")
		}
		return fmt.Errorf("backup failed: %w", err)
	}
	enc := ""
	if rec.Encrypted {
		enc = ", encrypted"
	}
	fmt.Fprintf(e.stdout, "Backup written and verified: %s\n  %s, %d records, %d media files%s, in %s\n",
		filepath.Join(rec.Folder, rec.File), byteSize(rec.Size), rec.Records, rec.Media, enc, rec.Duration.Round(time.Millisecond))
	if rec.MissingMedia > 0 {
		fmt.Fprintf(e.stdout, "  %d files the database refers to were missing from the data folder, so are not in the backup.\n", rec.MissingMedia)
	}
	return nil
}

func cmdRestore(ctx context.Context, e *env, args []string) error {
	fs := flags("restore")
	data := dataFlag(e, fs)
	passFile := fs.String("passphrase-file", "", "the backup's passphrase, on this file's first line (- reads it from standard input)")
	identity := fs.String("identity", "", "age identity file (AGE-SECRET-KEY-1…) for a backup encrypted to a recipient")
	file, err := parseWithFile(e, fs, args)
	if err != nil {
		return err
	}
	dir, err := absData(*data)
	if err != nil {
		return err
	}
	if file, err = filepath.Abs(file); err != nil {
		return err
	}
	var key backup.Key
	if *passFile != "" {
		if key.Passphrase, err = readPassphrase(e, *passFile, false); err != nil {
			return err
		}
	}
	if *identity != "" {
		id, err := os.ReadFile(*identity)
		if err != nil {
			return fmt.Errorf("read the identity file: %w", err)
		}
		key.Identity = string(id)
	}
	fmt.Fprintf(e.stderr, "Verifying %s…\n", file)
	res, err := backup.Restore(ctx, file, dir, key, time.Now(), nil)
	if err != nil {
		return fmt.Errorf("%w (%s was not changed)", err, dir)
	}
	m := res.Manifest
	w := e.stdout
	fmt.Fprintf(w, "Backup verified: taken %s by Pitlane %s, database schema %d, %d records, %d media files.\n",
		m.Created.UTC().Format("2006-01-02 15:04 UTC"), m.AppVersion, m.Schema, m.Records(), m.MediaFiles())
	fmt.Fprintf(w, "Restored into %s.\n", dir)
	if res.Previous != "" {
		fmt.Fprintf(w, "The previous data folder is kept as %s: delete it once the restored appliance works.\n", res.Previous)
	}
	if res.KeptTLS {
		fmt.Fprintln(w, "This machine's certificates were kept, so devices that trust it still do.")
	}
	if m.Schema < store.SchemaVersion() {
		fmt.Fprintf(w, "The database will be upgraded from schema %d to %d when Pitlane starts.\n", m.Schema, store.SchemaVersion())
	}
	fmt.Fprintln(w, "The search index is rebuilt when Pitlane starts. Start it: pitlane start (the service), or pitlane serve --data "+dir)
	return nil
}

// parseWithFile parses flags around exactly one positional argument, as in
// "pitlane restore FILE --data DIR".
func parseWithFile(e *env, fs *flag.FlagSet, args []string) (string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", parse(e, fs, args)
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 {
		return "", usageErrorf("restore: give one backup file: pitlane restore FILE [--data DIR]")
	}
	return files[0], nil
}

// readPassphrase reads a backup passphrase from the first line of a file,
// or with "-" from standard input: at a terminal without echo (twice when
// it is new), else its first line. Never from the command line, where
// other users of the machine would see it.
func readPassphrase(e *env, file string, isNew bool) (string, error) {
	var line string
	switch f, ok := e.stdin.(*os.File); {
	case file == "-" && ok && term.IsTerminal(int(f.Fd())):
		first, err := promptSecret(e, f, "Backup passphrase: ")
		if err != nil {
			return "", err
		}
		if isNew {
			again, err := promptSecret(e, f, "Repeat the passphrase: ")
			if err != nil {
				return "", err
			}
			if first != again {
				return "", errors.New("the two passphrases differ: nothing was done, try again")
			}
		}
		line = first
	case file == "-":
		var err error
		if line, err = firstLine(e.stdin); err != nil {
			return "", errors.New("no passphrase on standard input")
		}
	default:
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("read the passphrase file: %w", err)
		}
		defer f.Close()
		if line, err = firstLine(f); err != nil {
			return "", fmt.Errorf("the passphrase file %s is empty", file)
		}
	}
	if line == "" {
		return "", errors.New("the passphrase is empty")
	}
	return line, nil
}

func firstLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func promptSecret(e *env, f *os.File, label string) (string, error) {
	fmt.Fprint(e.stderr, label)
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("read the passphrase: %w", err)
	}
	return string(pw), nil
}

func byteSize(n int64) string {
	switch {
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}
