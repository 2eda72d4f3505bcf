package ui

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"

	"pitlane/i18n"
	"pitlane/store"
	"pitlane/web"
)

// The layout (header, menu, footer) is the same around every page for a
// given language, role, title, menu entry, notice and set of dealership
// settings; only a few values in it change per request: the user's name,
// the CSRF token, the unread count, a form-level error and the page's
// content. Executing it costs more than most pages' content (a catalogue
// look-up and a role check per menu link, all by reflection), so it is
// rendered once per combination with a placeholder for each of those
// values, cut there into a frame, and pages are served by filling the
// frame. The layout is framed only if it reads nothing else (framable
// checks its parse tree when the templates are parsed), and each frame is
// checked once against a plain rendering of the layout with awkward values
// (markup, quotes, NUL) in every placeholder; a combination that does not
// come out byte for byte the same is rendered plainly every time.

// slot is a per-request value in a frame.
type slot int

const (
	slotName slot = iota
	slotCSRF
	slotUnread
	slotError
	slotContent
	slots
)

// frameKey is everything the layout may vary on besides the slots, with the
// settings version held by layoutFrames.
type frameKey struct {
	lang     i18n.Lang
	signedIn bool
	role     store.Role
	title    string
	flash    string
	nav      string // the path if the menu links to it, else ""
	unread   bool
	failed   bool
}

// frame is the layout cut at its slots: parts[i], slot kinds[i], …, parts[n].
type frame struct {
	parts [][]byte
	kinds []slot
}

// layoutFrames builds and keeps frames for the current settings version.
type layoutFrames struct {
	templates map[i18n.Lang]*template.Template // the layout with "content" printing .Data
	navPaths  map[string]bool
	marks     [slots]string // placeholders, random per process

	mu       sync.RWMutex
	settings uint64 // version the frames were built with
	frames   map[frameKey]*frame
}

// maxFrames bounds the cache; past it, it starts afresh.
const maxFrames = 1024

// navPath matches the layout's only use of .Path: marking the current menu
// link.
var navPath = regexp.MustCompile(`eq \.Path "([^"]*)"`)

// newLayoutFrames prepares frames for the layout source src, parsed per
// language in templates; tree is the parsed "layout.html". It returns nil,
// so every page is rendered plainly, when the layout reads anything frames
// do not account for (see framable).
func newLayoutFrames(src string, tree *parse.Tree, templates map[i18n.Lang]*template.Template) (*layoutFrames, error) {
	uses := navPath.FindAllStringSubmatch(src, -1)
	if len(uses) != strings.Count(src, ".Path") || tree == nil || !framable(tree.Root) {
		return nil, nil
	}
	lf := &layoutFrames{templates: templates, navPaths: map[string]bool{}}
	for _, m := range uses {
		lf.navPaths[m[1]] = true
	}
	var b [8]byte
	for i := range lf.marks {
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		if slot(i) == slotUnread {
			// A number, as the layout prints it.
			lf.marks[i] = strconv.FormatUint(1e17+binary.BigEndian.Uint64(b[:])%8e17, 10)
		} else {
			lf.marks[i] = "plslot" + hex.EncodeToString(b[:])
		}
	}
	return lf, nil
}

func (lf *layoutFrames) key(v *View) frameKey {
	k := frameKey{lang: v.Lang, title: v.Title, flash: v.Flash, unread: v.Unread != 0, failed: v.Error != ""}
	if v.Me != nil {
		k.signedIn, k.role = true, v.Me.Role
	}
	if lf.navPaths[v.Path] {
		k.nav = v.Path
	}
	return k
}

// get returns v's frame, building it if needed; nil when v's combination
// must be rendered plainly.
func (lf *layoutFrames) get(v *View) (*frame, error) {
	if lf == nil {
		return nil, nil
	}
	k := lf.key(v)
	lf.mu.RLock()
	f, ok := lf.frames[k]
	current := lf.settings == v.settingsVersion
	lf.mu.RUnlock()
	if ok && current {
		return f, nil
	}
	f, err := lf.build(k, v)
	if err != nil {
		return nil, err
	}
	lf.mu.Lock()
	if lf.settings != v.settingsVersion || lf.frames == nil || len(lf.frames) >= maxFrames {
		lf.settings, lf.frames = v.settingsVersion, map[frameKey]*frame{}
	}
	lf.frames[k] = f
	lf.mu.Unlock()
	return f, nil
}

// probe holds the awkward values a frame is checked with.
var probe = [slots]string{
	slotName:    `Probe <b>"name"</b> & 'co' + NUL` + "\x00",
	slotCSRF:    `probe"csrf'<&>+`,
	slotUnread:  "7",
	slotError:   `<script>alert("x")</script> & 'it' + more` + "\x00",
	slotContent: "<p>probe content</p>",
}

// build renders k's layout around placeholders, cuts it, and checks the
// result against a plain rendering with the probe values. A frame that
// fails the check is cached as nil: that combination is rendered plainly.
func (lf *layoutFrames) build(k frameKey, v *View) (*frame, error) {
	t := lf.templates[k.lang]
	if t == nil {
		return nil, fmt.Errorf("no layout for %q", k.lang)
	}
	page := func(vals [slots]string) ([]byte, error) {
		fv := &View{Title: v.Title, Lang: v.Lang, Loc: v.Loc, Settings: v.Settings, Flash: v.Flash, Path: k.nav,
			Version: v.Version, CSRF: vals[slotCSRF], Data: template.HTML(vals[slotContent])}
		if k.signedIn {
			fv.Me = &web.Principal{Kind: "staff", Role: k.role, Name: vals[slotName]}
		}
		if k.unread {
			n, err := strconv.ParseInt(vals[slotUnread], 10, 64)
			if err != nil {
				return nil, err
			}
			fv.Unread = n
		}
		if k.failed {
			fv.Error = vals[slotError]
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, "layout.html", fv); err != nil {
			return nil, fmt.Errorf("render layout: %w", err)
		}
		return buf.Bytes(), nil
	}
	marked, err := page(lf.marks)
	if err != nil {
		return nil, err
	}
	f := lf.cut(marked)
	want, err := page(probe)
	if err != nil {
		return nil, err
	}
	var got bytes.Buffer
	f.fill(&got, escapeSlots(probe), func(w pageWriter) error { _, err := w.WriteString(probe[slotContent]); return err })
	if !bytes.Equal(got.Bytes(), want) {
		return nil, nil
	}
	return f, nil
}

// cut splits a rendering at every placeholder.
func (lf *layoutFrames) cut(b []byte) *frame {
	f := &frame{}
	for {
		at, kind := -1, slot(0)
		for i, m := range lf.marks {
			if j := bytes.Index(b, []byte(m)); j >= 0 && (at < 0 || j < at) {
				at, kind = j, slot(i)
			}
		}
		if at < 0 {
			f.parts = append(f.parts, b)
			return f
		}
		f.parts = append(f.parts, b[:at])
		f.kinds = append(f.kinds, kind)
		b = b[at+len(lf.marks[kind]):]
	}
}

// fill writes the frame with vals, escaped (see escapeSlots), in its
// slots, the content by content.
func (f *frame) fill(w pageWriter, vals [slots]string, content func(pageWriter) error) error {
	for i, kind := range f.kinds {
		w.Write(f.parts[i])
		if kind != slotContent {
			w.WriteString(vals[kind])
		} else if err := content(w); err != nil {
			return err
		}
	}
	w.Write(f.parts[len(f.parts)-1])
	return nil
}

// escapeSlots escapes the text slots' values once for all their places.
func escapeSlots(vals [slots]string) [slots]string {
	for _, k := range []slot{slotName, slotCSRF, slotError} {
		if strings.ContainsAny(vals[k], "\x00\"&'+<>") {
			var b bytes.Buffer
			escapeHTML(&b, vals[k])
			vals[k] = b.String()
		}
	}
	return vals
}

// escapeHTML writes s as html/template escapes a string in text and quoted
// attribute values (its table includes '+' and NUL, unlike
// template.HTMLEscape); the frame check proves the two agree.
func escapeHTML(w *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(r)
		last = i + 1
	}
	w.WriteString(s[last:])
}

// frameFields are the View fields the layout may read: each is in the
// frame's key, a slot, or the same for every request (Version). Settings
// are all in the key, by version.
var frameFields = map[string]bool{"Lang": true, "Title": true, "Settings": true, "Me": true, "Me.Name": true,
	"Me.Role": true, "Unread": true, "Path": true, "CSRF": true, "Flash": true, "Error": true, "Version": true}

// frameFuncs are the functions the layout may call: none reads anything
// but its arguments and the language (hasRole reads only Me.Role).
var frameFuncs = map[string]bool{"t": true, "asset": true, "hasRole": true, "eq": true, "ne": true, "not": true,
	"and": true, "or": true}

// framable reports whether the layout's tree reads only frameFields, calls
// only frameFuncs, keeps its dot (no range or with) and includes no template
// but the page's content.
func framable(n parse.Node) bool {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return true
		}
		for _, c := range n.Nodes {
			if !framable(c) {
				return false
			}
		}
		return true
	case *parse.TextNode, *parse.CommentNode, *parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.NilNode, *parse.DotNode:
		return true
	case *parse.ActionNode:
		return n.Pipe == nil || framable(n.Pipe)
	case *parse.IfNode:
		return framable(n.Pipe) && framable(n.List) && framable(n.ElseList)
	case *parse.PipeNode:
		if n == nil {
			return true
		}
		if len(n.Decl) > 0 {
			return false
		}
		for _, c := range n.Cmds {
			if !framable(c) {
				return false
			}
		}
		return true
	case *parse.CommandNode:
		for _, a := range n.Args {
			if !framable(a) {
				return false
			}
		}
		return true
	case *parse.IdentifierNode:
		return frameFuncs[n.Ident]
	case *parse.FieldNode:
		return frameFields[strings.Join(n.Ident, ".")] || (len(n.Ident) > 1 && n.Ident[0] == "Settings")
	case *parse.TemplateNode:
		return n.Name == "content" && n.Pipe != nil && len(n.Pipe.Cmds) == 1 && len(n.Pipe.Cmds[0].Args) == 1 &&
			n.Pipe.Cmds[0].Args[0].Type() == parse.NodeDot
	}
	return false
}
