// Command pitlane is the Pitlane appliance: it serves the dealership, runs as
// a Windows or Linux service, and manages its data folder from the command
// line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	// Time zones must work on Windows, which has no zoneinfo database.
	_ "time/tzdata"

	"pitlane/control"
	"pitlane/notify"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

const usage = `Pitlane: dealership and workshop server.

Usage: pitlane <command> [options]

Server:
  serve          run the server in this terminal (pitlane serve --help lists its options)
  install        install the system service; takes serve's options, and --dry-run to
                 print the service definition without installing (data: %s)
  uninstall      remove the system service
  start          start the system service
  stop           stop the system service
  status         say whether the system service is running

Data folder (--data DIR, default $PITLANE_DATA or ./pitlane-data):
  demo           load the demo garage: customers, cars, appointments, jobs, staff accounts
  user add       create a staff account: --username U --name N --role R [--lang L]
                 (roles: sales, backoffice, workshop, manager; languages: en, it, ro)
  user list      list the staff accounts
  user passwd    set an account's password: --username U
  user disable   stop an account from signing in: --username U
  user enable    let a disabled account sign in again: --username U
  pair           print a one-time link that pairs a customer's phone with the app:
                 --customer ID|EMAIL|PHONE [--ttl 72h] [--public-url URL]
  backup         take a verified backup while the service runs or not: [--to DIR]
                 [--passphrase-file F | --recipient AGE1…] (default: the folder and
                 recipient set on the Backups page)
  restore FILE   replace the data folder with a backup, after verifying it; the
                 service must be stopped: [--passphrase-file F | --identity FILE]
  vapid          print the web push public key (VAPID), made on the first run
  reindex        rebuild the search index from the database, showing progress
                 (searches keep working meanwhile; the service does this by itself
                 when the index is missing or from an older version)

  Passwords are read from the terminal without echo, or as one line of standard input.
  These commands work while the service runs: they reach it through its control socket.

Other:
  version        print the version
  help           print this help
`

// env is what a command may touch of the process, so tests can run commands
// in-process too.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand.
type command func(ctx context.Context, e *env, args []string) error

var commands = map[string]command{
	"serve":     cmdServe,
	"install":   cmdInstall,
	"uninstall": serviceAction("uninstall"),
	"start":     serviceAction("start"),
	"stop":      serviceAction("stop"),
	"status":    serviceAction("status"),
	"demo":      cmdDemo,
	"reindex":   cmdReindex,
	"pair":      cmdPair,
	"backup":    cmdBackup,
	"restore":   cmdRestore,
	"user":      cmdUser,
	"vapid":     cmdVAPID,
	"version":   cmdVersion,
}

func main() {
	// The server starts this program again to send web push (notify's
	// process.go says why).
	if notify.IsSenderProcess() {
		os.Exit(notify.ServeSender(os.Stdin, os.Stdout, os.Stderr))
	}
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(run(e, os.Args[1:]))
}

// run carries out one command line and returns the exit status: 0 on
// success, 1 when the command failed, 2 when it was not understood.
func run(e *env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		printUsage(e.stdout)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.stderr, "pitlane: unknown command %q\n\n", name)
		printUsage(e.stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, a second one kills the process at once.
	context.AfterFunc(ctx, stop)
	err := cmd(ctx, e, args[1:])
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	fmt.Fprintln(e.stderr, "pitlane: "+oneLine(control.Message(err)))
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, usage, defaultServiceData())
}

// usageError is a command line that was not understood.
type usageError struct{ error }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// flags is a flag set that reports errors as one line instead of printing
// them with the usage.
func flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("pitlane "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args, printing the options on -h to stdout. It returns
// errHelp when that is all there was to do.
func parse(e *env, fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(e.stdout, "Usage: %s [options]\n\nOptions:\n", fs.Name())
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		return errHelp
	case err != nil:
		return usageErrorf("%s: %v (%s -h lists the options)", strings.TrimPrefix(fs.Name(), "pitlane "), err, fs.Name())
	case fs.NArg() > 0:
		return usageErrorf("%s: unexpected argument %q", strings.TrimPrefix(fs.Name(), "pitlane "), fs.Arg(0))
	}
	return nil
}

// errHelp ends a command that only printed its help.
var errHelp = errors.New("help printed")

// dataFlag adds --data, defaulting to $PITLANE_DATA or ./pitlane-data.
func dataFlag(e *env, fs *flag.FlagSet) *string {
	def := e.getenv("PITLANE_DATA")
	if def == "" {
		def = "./pitlane-data"
	}
	return fs.String("data", def, "data folder")
}

// dataCommand parses the flags of a command that works on a data folder:
// --data, and those define adds (nil: none). It returns the folder, whole.
func dataCommand(e *env, name string, args []string, define func(fs *flag.FlagSet)) (string, error) {
	fs := flags(name)
	data := dataFlag(e, fs)
	if define != nil {
		define(fs)
	}
	if err := parse(e, fs, args); err != nil {
		return "", err
	}
	return absData(*data)
}

// absData makes the data folder absolute once, at parse time: nothing later
// depends on the working directory.
func absData(dir string) (string, error) {
	if strings.TrimSpace(dir) == "" {
		return "", usageErrorf("--data must not be empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("data folder %q: %w", dir, err)
	}
	return abs, nil
}
