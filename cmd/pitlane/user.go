package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"pitlane/control"
	"pitlane/store"
)

func cmdUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("user: say what to do: add, list, passwd, disable or enable (pitlane help)")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "help", "-h", "-help", "--help":
		printUsage(e.stdout)
		return errHelp
	case "add":
		return userAdd(ctx, e, args)
	case "list":
		return userList(ctx, e, args)
	case "passwd":
		return userPasswd(ctx, e, args)
	case "disable", "enable":
		return userSetDisabled(ctx, e, args, sub == "disable")
	}
	return usageErrorf("user: unknown command %q: use add, list, passwd, disable or enable", sub)
}

// userFlags parses a user subcommand's flags and returns the data folder.
func userFlags(e *env, name string, args []string, define func(fs *flag.FlagSet)) (string, error) {
	return dataCommand(e, "user "+name, args, define)
}

// connect reaches the data folder. An account command on a folder without
// a database is a mistyped --data, so only add may start a new one.
func connect(dir string, create bool) (control.Admin, io.Closer, error) {
	if !create {
		if _, err := os.Stat(filepath.Join(dir, store.FileName)); errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("there is no Pitlane database in %s: check --data", dir)
		}
	}
	return control.Connect(dir)
}

func required(flag, value string) error {
	if strings.TrimSpace(value) == "" {
		return usageErrorf("--%s is required", flag)
	}
	return nil
}

func userAdd(ctx context.Context, e *env, args []string) error {
	var username, name, role, lang string
	dir, err := userFlags(e, "add", args, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "login name: lower-case letters, digits, . _ -")
		fs.StringVar(&name, "name", "", "full name")
		fs.StringVar(&role, "role", "", "sales, backoffice, workshop or manager")
		fs.StringVar(&lang, "lang", "", "en, it or ro (default: follow the browser)")
	})
	if err != nil {
		return err
	}
	for _, f := range [][2]string{{"username", username}, {"name", name}, {"role", role}} {
		if err := required(f[0], f[1]); err != nil {
			return err
		}
	}
	password, err := readPassword(e)
	if err != nil {
		return err
	}
	admin, closer, err := connect(dir, true)
	if err != nil {
		return err
	}
	defer closer.Close()
	u, err := admin.AddUser(ctx, control.NewUser{Username: username, Name: name, Role: store.Role(role), Lang: lang,
		Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Created %s account %s (%s).\n", u.Role, u.Username, u.Name)
	return nil
}

func userList(ctx context.Context, e *env, args []string) error {
	dir, err := userFlags(e, "list", args, func(*flag.FlagSet) {})
	if err != nil {
		return err
	}
	admin, closer, err := connect(dir, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	users, err := admin.Users(ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(e.stdout, "No staff accounts yet: create one with pitlane user add, or with the setup link pitlane serve prints.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tNAME\tROLE\tLANGUAGE\tSTATUS\tCREATED")
	for _, u := range users {
		status, lang := "active", u.Lang
		if u.Disabled {
			status = "disabled"
		}
		if lang == "" {
			lang = "browser"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.Name, u.Role, lang, status,
			u.Created.Local().Format("2006-01-02"))
	}
	return tw.Flush()
}

func userPasswd(ctx context.Context, e *env, args []string) error {
	var username string
	dir, err := userFlags(e, "passwd", args, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "the account")
	})
	if err != nil {
		return err
	}
	if err := required("username", username); err != nil {
		return err
	}
	password, err := readPassword(e)
	if err != nil {
		return err
	}
	admin, closer, err := connect(dir, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	if err := admin.SetPassword(ctx, username, password); err != nil {
		return accountError(err, username)
	}
	fmt.Fprintf(e.stdout, "Password of %s changed; the account was signed out everywhere.\n", username)
	return nil
}

func userSetDisabled(ctx context.Context, e *env, args []string, disabled bool) error {
	var username string
	name := "enable"
	if disabled {
		name = "disable"
	}
	dir, err := userFlags(e, name, args, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "the account")
	})
	if err != nil {
		return err
	}
	if err := required("username", username); err != nil {
		return err
	}
	admin, closer, err := connect(dir, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	u, err := admin.SetDisabled(ctx, username, disabled)
	if err != nil {
		return accountError(err, username)
	}
	if disabled {
		fmt.Fprintf(e.stdout, "Account %s disabled and signed out everywhere.\n", u.Username)
	} else {
		fmt.Fprintf(e.stdout, "Account %s enabled.\n", u.Username)
	}
	return nil
}

// accountError names the account a not-found error is about.
func accountError(err error, username string) error {
	if store.Is(err, store.CodeNotFound) {
		return fmt.Errorf("there is no account named %q (pitlane user list shows them)", username)
	}
	return err
}

// readPassword reads a new password: from a terminal twice without echo, or
// else as one line of standard input (a pipe or a file).
func readPassword(e *env) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		first, err := prompt(e, f, "New password: ")
		if err != nil {
			return "", err
		}
		again, err := prompt(e, f, "Repeat the password: ")
		if err != nil {
			return "", err
		}
		if first != again {
			return "", errors.New("the two passwords differ: nothing was changed, try again")
		}
		return first, nil
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		return "", errors.New("no password on standard input: type it when asked in a terminal, or pipe it in as one line")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func prompt(e *env, f *os.File, label string) (string, error) {
	fmt.Fprint(e.stderr, label)
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return string(pw), nil
}
