package installer

import (
	"fmt"
	"runtime"
	"strings"
	"text/template"

	"github.com/kardianos/service"
)

// DryRun returns the service definition install would write, without
// installing anything: on Linux the systemd unit (kardianos falls back to an
// init script on machines without systemd), on Windows a description of the
// service entry and its recovery settings.
func DryRun(o ServiceOptions) (string, error) {
	cfg, err := serviceConfig(o)
	if err != nil {
		return "", err
	}
	switch runtime.GOOS {
	case "linux":
		return systemdUnit(cfg)
	case "windows":
		return windowsDescription(cfg), nil
	default:
		return "", fmt.Errorf("pitlane runs as a service on Linux and Windows, not on %s", runtime.GOOS)
	}
}

// The sandboxing lines cost nothing for a server that only writes to its
// data folder and to removable or network drives it backs up to, which
// ProtectSystem=full leaves writable.
var systemdTemplate = template.Must(template.New("unit").Parse(`[Unit]
Description={{.Description}}
ConditionFileIsExecutable={{.Executable}}
{{range .Dependencies}}{{.}}
{{end}}
[Service]
Type=simple
ExecStart={{.ExecStart}}
WorkingDirectory={{.WorkingDirectory}}
Restart=on-failure
RestartSec={{.RestartSec}}
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full

[Install]
WantedBy=multi-user.target
`))

// systemdUnit renders the unit for cfg.
func systemdUnit(cfg *service.Config) (string, error) {
	words := []string{systemdWord(cfg.Executable)}
	for _, a := range cfg.Arguments {
		words = append(words, systemdWord(a))
	}
	var b strings.Builder
	err := systemdTemplate.Execute(&b, struct {
		Description, Executable, ExecStart, WorkingDirectory string
		Dependencies                                         []string
		RestartSec                                           int
	}{
		Description:      systemdValue(cfg.Description),
		Executable:       systemdValue(cfg.Executable),
		ExecStart:        strings.Join(words, " "),
		WorkingDirectory: systemdValue(cfg.WorkingDirectory),
		Dependencies:     cfg.Dependencies,
		RestartSec:       int(restartDelay.Seconds()),
	})
	if err != nil {
		return "", fmt.Errorf("rendering systemd unit: %w", err)
	}
	return b.String(), nil
}

// systemdValue escapes the % that systemd would expand as a specifier.
func systemdValue(s string) string {
	return strings.ReplaceAll(s, "%", "%%")
}

// systemdWord writes one ExecStart word: systemd splits the line on
// whitespace, unquotes "..." with C escapes, and expands % specifiers and $
// variables, so each of those is escaped.
func systemdWord(s string) string {
	s = strings.NewReplacer("%", "%%", "$", "$$").Replace(s)
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// windowsDescription says in words what install registers with the Windows
// service manager.
func windowsDescription(cfg *service.Config) string {
	words := []string{windowsArg(cfg.Executable)}
	for _, a := range cfg.Arguments {
		words = append(words, windowsArg(a))
	}
	var b strings.Builder
	row := func(k, v string) { fmt.Fprintf(&b, "%-14s %s\n", k+":", v) }
	row("Service name", cfg.Name)
	row("Display name", cfg.DisplayName)
	row("Description", cfg.Description)
	row("Command line", strings.Join(words, " "))
	row("Start type", fmt.Sprint(cfg.Option["StartType"], ", when Windows starts"))
	row("Runs as", "LocalSystem")
	row("On failure", fmt.Sprintf("restart after %s, every time", restartDelay))
	row("Data folder", cfg.WorkingDirectory)
	return b.String()
}

// windowsArg quotes one argument the way the service manager's command line
// is built (syscall.EscapeArg, which only exists in Windows builds).
func windowsArg(s string) string {
	if s == "" {
		return `""`
	}
	hasSpace := strings.ContainsAny(s, " \t")
	if !hasSpace && !strings.ContainsAny(s, `"\`) {
		return s
	}
	var b strings.Builder
	if hasSpace {
		b.WriteByte('"')
	}
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			slashes++
		case '"':
			// Backslashes before a quote are doubled, then the quote escaped.
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(c)
	}
	if hasSpace {
		b.WriteString(strings.Repeat(`\`, slashes))
		b.WriteByte('"')
	}
	return b.String()
}
