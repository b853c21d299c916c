package commands

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"catweete/workflows"
)

// Compact writes a count the way people read figures: 950, 12,4 k, 1,2 M in
// French; 950, 12.4k, 1.2M in English.
func (c *Catalog) Compact(lang Lang, n int64) string {
	abs := math.Abs(float64(n))
	if abs < 10_000 {
		return c.Number(lang, n)
	}
	// Rounded half away from zero, as people round, at one decimal under
	// 100 and none above; 999 999 reads 1 M, not 1000 k.
	round := func(v float64) float64 {
		if math.Abs(v) >= 100 {
			return math.Round(v)
		}
		return math.Round(v*10) / 10
	}
	value, unit := round(float64(n)/1_000), "k"
	if math.Abs(value) >= 1000 {
		value, unit = round(float64(n)/1_000_000), "M"
	}
	s := strconv.FormatFloat(value, 'f', -1, 64)
	if lang == English {
		return s + unit
	}
	return strings.Replace(s, ".", ",", 1) + "\u00a0" + unit
}

// Percent writes a share: 3,2 % in French (with a narrow no-break space),
// 3.2% in English; one decimal under 10 %, none above.
func (c *Catalog) Percent(lang Lang, share float64) string {
	p := share * 100
	digits := 1
	if math.Abs(p) >= 10 {
		digits = 0
	}
	s := strings.TrimSuffix(strconv.FormatFloat(p, 'f', digits, 64), ".0")
	if lang == English {
		return s + "%"
	}
	return strings.Replace(s, ".", ",", 1) + "\u202f%"
}

// Trend writes a change against the previous period: ▲ 18 %, ▼ 5 %, = ;
// empty when it cannot be told.
func (c *Catalog) Trend(lang Lang, change workflows.Rate) string {
	if !change.Known {
		return ""
	}
	p := math.Round(change.Value * 100)
	switch {
	case p > 0:
		return "▲ " + c.Percent(lang, p/100)
	case p < 0:
		return "▼ " + c.Percent(lang, -p/100)
	}
	return "="
}

// withTrend appends " (▲ 18 %)" to text when the trend can be told.
func (c *Catalog) withTrend(lang Lang, text string, current, previous workflows.Count) string {
	if t := c.Trend(lang, workflows.Change(current, previous)); t != "" {
		return fmt.Sprintf("%s (%s)", text, t)
	}
	return text
}
