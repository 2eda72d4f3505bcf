package i18n

import (
	"slices"
	"text/template/parse"
)

// KeysUsedIn scans template source text for calls of the t function —
// {{t "key" ...}}, {{ t "key" }}, (t "key"), {{"key" | t}} — and returns
// the keys, sorted and without repeats, for a test that fails when a
// template uses an unknown key.
//
// It reads the parsed template rather than matching text, so a key in a
// comment or inside another string does not count. A key chosen at run time
// ({{t .Key}}) cannot be seen and is not reported. Source that does not
// parse yields nil: loading that template fails on its own, more loudly.
func KeysUsedIn(src string) []string {
	trees := make(map[string]*parse.Tree)
	tree := parse.New("src")
	// The scan must not need the real FuncMap, which lives in another package.
	tree.Mode = parse.SkipFuncCheck
	if _, err := tree.Parse(src, "", "", trees); err != nil {
		return nil
	}
	var keys []string
	// The tree set holds src's main tree and every {{define}} in it.
	for _, t := range trees {
		keys = appendKeys(keys, t.Root)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

func appendKeys(keys []string, node parse.Node) []string {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return keys
		}
		for _, c := range n.Nodes {
			keys = appendKeys(keys, c)
		}
	case *parse.ActionNode:
		keys = appendKeys(keys, n.Pipe)
	case *parse.PipeNode:
		if n == nil {
			return keys
		}
		for i, cmd := range n.Cmds {
			if key, ok := pipedKey(n.Cmds, i); ok {
				keys = append(keys, key)
			}
			keys = appendKeys(keys, cmd)
		}
	case *parse.CommandNode:
		if key, ok := calledKey(n); ok {
			keys = append(keys, key)
		}
		for _, arg := range n.Args {
			keys = appendKeys(keys, arg)
		}
	case *parse.ChainNode:
		keys = appendKeys(keys, n.Node)
	case *parse.IfNode:
		keys = appendBranch(keys, &n.BranchNode)
	case *parse.RangeNode:
		keys = appendBranch(keys, &n.BranchNode)
	case *parse.WithNode:
		keys = appendBranch(keys, &n.BranchNode)
	case *parse.TemplateNode:
		keys = appendKeys(keys, n.Pipe)
	}
	return keys
}

func appendBranch(keys []string, b *parse.BranchNode) []string {
	keys = appendKeys(keys, b.Pipe)
	keys = appendKeys(keys, b.List)
	return appendKeys(keys, b.ElseList)
}

// calledKey matches t "key" ...
func calledKey(cmd *parse.CommandNode) (string, bool) {
	if len(cmd.Args) < 2 || !isT(cmd.Args[0]) {
		return "", false
	}
	s, ok := cmd.Args[1].(*parse.StringNode)
	if !ok {
		return "", false
	}
	return s.Text, true
}

// pipedKey matches "key" | t, where the key arrives as t's only argument.
func pipedKey(cmds []*parse.CommandNode, i int) (string, bool) {
	if i == 0 || len(cmds[i].Args) != 1 || !isT(cmds[i].Args[0]) {
		return "", false
	}
	prev := cmds[i-1].Args
	if len(prev) != 1 {
		return "", false
	}
	s, ok := prev[0].(*parse.StringNode)
	if !ok {
		return "", false
	}
	return s.Text, true
}

func isT(n parse.Node) bool {
	id, ok := n.(*parse.IdentifierNode)
	return ok && id.Ident == "t"
}
