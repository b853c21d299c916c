package bot

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"catweete/commands"
	"catweete/workflows"
)

// The chart's size: 1000×500 pixels at 96 dpi, readable in Slack's
// preview and sharp when opened.
const (
	chartDPI    = 96
	pixel       = vg.Inch / chartDPI
	chartWidth  = 1000 * pixel
	chartHeight = 500 * pixel
	// legendWidth is the strip on the right that names the networks.
	legendWidth = 125 * pixel
)

// networkColors are the Okabe–Ito colours, told apart by colour-blind
// readers too; networks take them in the order of their names.
var networkColors = []color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xD5, 0x5E, 0x00, 0xFF}, // vermilion
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
	{0x00, 0x00, 0x00, 0xFF}, // black
}

// DrawChart draws the digest's chart as a PNG: reach (impressions standing
// in where a network gives no reach, which the title then says) and
// engagements per day, a bar per network and day, with the networks named
// in a legend, and the words and day names in lang. Networks that give
// neither reach nor impressions (Mastodon, Bluesky) appear only in the
// engagements panel: no figure is invented. The same days give the same
// bytes: the fonts are gonum/plot's own (Liberation, embedded), never the
// system's.
func DrawChart(days []workflows.DailyFigures, lang commands.Lang, loc *time.Location) (png []byte, err error) {
	// gonum/plot reports some impossible layouts by panicking.
	defer func() {
		if v := recover(); v != nil {
			png, err = nil, fmt.Errorf("bot: chart: %v", v)
		}
	}()
	if len(days) == 0 {
		return nil, fmt.Errorf("bot: chart: no days")
	}
	if loc == nil {
		loc = time.UTC
	}
	cat := commands.NewCatalog()

	networks, withReach, standIn := chartNetworks(days)
	reachTitle := cat.T(lang, commands.MsgChartReach)
	switch {
	case len(withReach) == 0 && len(networks) > 0:
		reachTitle = cat.T(lang, commands.MsgChartReachNone)
	case standIn:
		reachTitle = cat.T(lang, commands.MsgChartReachStandIn)
	}
	engagedTitle := cat.T(lang, commands.MsgChartEngagements)
	if len(networks) == 0 {
		engagedTitle += " — " + cat.T(lang, commands.MsgChartNothing)
	}
	labels := make([]string, len(days))
	for i, d := range days {
		labels[i] = cat.ShortDay(lang, d.Day, loc)
	}
	compact := func(n int64) string {
		// Liberation has no narrow no-break space: a plain one reads the same.
		return strings.ReplaceAll(cat.Compact(lang, n), "\u202f", "\u00a0")
	}

	reachPanel := newPanel(reachTitle, cat.T(lang, commands.MsgChartDayAxis), cat.T(lang, commands.MsgChartReachAxis), labels, compact)
	engagedPanel := newPanel(engagedTitle, cat.T(lang, commands.MsgChartDayAxis), cat.T(lang, commands.MsgChartEngagementsAxis), labels, compact)

	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = vg.Points(12)
	legend.Padding = vg.Points(6)
	legend.TextStyle.Font = sans(11, false)
	for i, network := range networks {
		c := networkColors[i%len(networkColors)]
		engaged, err := networkBars(days, network, c, func(f workflows.Figures) float64 {
			if f.Engagements.Known {
				return float64(f.Engagements.Value)
			}
			return 0
		})
		if err != nil {
			return nil, err
		}
		engagedPanel.add(engaged)
		legend.Add(workflows.NetworkName(network), engaged)
		if !slices.Contains(withReach, network) {
			continue
		}
		reached, err := networkBars(days, network, c, func(f workflows.Figures) float64 {
			if f.Source != workflows.ReachNone && f.Reach.Known {
				return float64(f.Reach.Value)
			}
			return 0
		})
		if err != nil {
			return nil, err
		}
		reachPanel.add(reached)
	}

	canvas := vgimg.NewWith(vgimg.UseWH(chartWidth, chartHeight), vgimg.UseDPI(chartDPI))
	dc := vgdraw.New(canvas)
	plots := vgdraw.Crop(dc, 0, -legendWidth, 0, 0)
	tiles := vgdraw.Tiles{
		Rows: 1, Cols: 2,
		PadX: vg.Points(18), PadTop: vg.Points(8), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(6),
	}
	panels := []*panel{reachPanel, engagedPanel}
	for _, p := range panels {
		p.setRanges(len(days))
	}
	canvases := plot.Align([][]*plot.Plot{{reachPanel.plot, engagedPanel.plot}}, tiles, plots)
	for i, p := range panels {
		p.sizeBars(p.plot.DataCanvas(canvases[0][i]), len(days))
		p.plot.Draw(canvases[0][i])
	}
	legend.Draw(vgdraw.Crop(dc, chartWidth-legendWidth+vg.Points(8), 0, 0, -vg.Points(24)))

	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("bot: chart: %w", err)
	}
	return buf.Bytes(), nil
}

// chartNetworks lists the networks of the days in the order of their
// names, those among them that give reach or impressions on some day, and
// whether impressions stand in for reach anywhere.
func chartNetworks(days []workflows.DailyFigures) (all, withReach []string, standIn bool) {
	for _, d := range days {
		for network, f := range d.Networks {
			if !slices.Contains(all, network) {
				all = append(all, network)
			}
			if f.Source != workflows.ReachNone && f.Reach.Known && !slices.Contains(withReach, network) {
				withReach = append(withReach, network)
			}
			if f.Source == workflows.ReachFromImpressions || f.Source == workflows.ReachMixed {
				standIn = true
			}
		}
	}
	byName := func(a, b string) int {
		return strings.Compare(workflows.NetworkName(a)+"\x00"+a, workflows.NetworkName(b)+"\x00"+b)
	}
	slices.SortFunc(all, byName)
	slices.SortFunc(withReach, byName)
	return all, withReach, standIn
}

// panel is one of the chart's two plots, with its groups of bars.
type panel struct {
	plot *plot.Plot
	bars []*plotter.BarChart
	max  float64
}

func newPanel(title, xLabel, yLabel string, days []string, format func(int64) string) *panel {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13, true)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Label.TextStyle.Font = sans(11, false)
	p.Y.Label.TextStyle.Font = sans(11, false)
	p.X.Tick.Label.Font = sans(9, false)
	p.Y.Tick.Label.Font = sans(10, false)
	ticks := make(plot.ConstantTicks, len(days))
	for i, d := range days {
		ticks[i] = plot.Tick{Value: float64(i), Label: d}
	}
	p.X.Tick.Marker = ticks
	p.X.Tick.Length = 0
	p.Y.Tick.Marker = countTicks{format: format}
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = color.Gray{Y: 0xCC}
	p.Add(grid)
	return &panel{plot: p}
}

// bars is one network's bars over the days.
func networkBars(days []workflows.DailyFigures, network string, c color.RGBA, value func(workflows.Figures) float64) (*plotter.BarChart, error) {
	values := make(plotter.Values, len(days))
	for i, d := range days {
		if f, ok := d.Networks[network]; ok {
			values[i] = value(f)
		}
	}
	// The width is set once the panel's size is known (sizeBars).
	b, err := plotter.NewBarChart(values, vg.Points(1))
	if err != nil {
		return nil, fmt.Errorf("bot: chart: %w", err)
	}
	b.Color = c
	b.LineStyle.Width = 0
	return b, nil
}

func (p *panel) add(b *plotter.BarChart) {
	p.bars = append(p.bars, b)
	p.plot.Add(b)
	for _, v := range b.Values {
		p.max = math.Max(p.max, v)
	}
}

// setRanges fixes the axes' ranges: a day per unit, centred on its
// bars, and counts from zero (to 4 at least, so that an empty week still
// has whole ticks).
func (p *panel) setRanges(days int) {
	p.plot.X.Min, p.plot.X.Max = -0.5, float64(days)-0.5
	p.plot.Y.Min, p.plot.Y.Max = 0, math.Max(4, p.max*1.08)
}

// sizeBars sizes the bars for data, the panel's data area: each day gets
// a group of bars three quarters of its width, one bar per network side by
// side.
func (p *panel) sizeBars(data vgdraw.Canvas, days int) {
	if len(p.bars) == 0 {
		return
	}
	group := (data.Max.X - data.Min.X) / vg.Length(days) * 3 / 4
	width := group / vg.Length(len(p.bars))
	for i, b := range p.bars {
		b.Width = width
		b.Offset = -group/2 + width*vg.Length(i) + width/2
	}
}

// sans is Liberation Sans, which gonum/plot embeds: the chart never
// depends on the fonts of the machine it is drawn on.
func sans(size float64, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
	if bold {
		f.Weight = stdfont.WeightBold
	}
	return f
}

// countTicks marks whole counts only, written the way the digest writes
// them (12,4 k / 12.4k).
type countTicks struct {
	format func(int64) string
}

func (t countTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i, tick := range ticks {
		if tick.Label == "" {
			continue
		}
		if tick.Value != math.Trunc(tick.Value) {
			ticks[i].Label = ""
			continue
		}
		ticks[i].Label = t.format(int64(tick.Value))
	}
	return ticks
}
