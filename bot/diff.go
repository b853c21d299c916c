package bot

import (
	"strings"

	"catweete/workflows"
)

// DiffText renders an edit's diff in Slack mrkdwn: removed runs ~struck~,
// added runs *bold*. Spaces around a marked run stay outside the marks, or
// Slack would not render them.
func DiffText(ops []workflows.DiffOp) string {
	var b strings.Builder
	for _, op := range ops {
		text := escapeMrkdwn(op.Text)
		if op.Kind == workflows.DiffKeep {
			b.WriteString(text)
			continue
		}
		mark := "*"
		if op.Kind == workflows.DiffRemove {
			mark = "~"
		}
		core := strings.TrimSpace(text)
		if core == "" {
			if op.Kind == workflows.DiffAdd {
				b.WriteString(text)
			}
			continue
		}
		lead := text[:strings.Index(text, core)]
		trail := text[len(lead)+len(core):]
		b.WriteString(lead + mark + core + mark + trail)
	}
	return b.String()
}

func escapeMrkdwn(text string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(text)
}
