package bot

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"catweete/commands"
	"catweete/social"
	"catweete/workflows"
)

// knownDays is a week of figures: Mastodon gives engagements only, X
// impressions (standing in for reach), LinkedIn reach, every other day;
// nothing went out on the third day.
func knownDays(loc *time.Location) []workflows.DailyFigures {
	first := time.Date(2026, 11, 17, 0, 0, 0, 0, loc)
	days := make([]workflows.DailyFigures, 7)
	for i := range days {
		days[i] = workflows.DailyFigures{Day: first.AddDate(0, 0, i), Networks: map[string]workflows.Figures{}}
		if i == 2 {
			continue
		}
		n := int64(i + 1)
		days[i].Networks[social.NetworkMastodon] = workflows.Figures{Posts: 1, Engagements: known(20 * n)}
		days[i].Networks[social.NetworkX] = workflows.Figures{Posts: 1, Reach: known(1500 * n), Impressions: known(1500 * n),
			Source: workflows.ReachFromImpressions, Engagements: known(45 * n)}
		if i%2 == 0 {
			days[i].Networks[social.NetworkLinkedIn] = workflows.Figures{Posts: 1, Reach: known(2500 + 300*n),
				Source: workflows.ReachGiven, Engagements: known(80)}
		}
	}
	return days
}

// colourCount counts the pixels of exactly c in r: the inside of a bar.
func colourCount(img image.Image, r image.Rectangle, c color.RGBA) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == c {
				n++
			}
		}
	}
	return n
}

func TestDrawChart(t *testing.T) {
	t.Parallel()
	loc := parisZone(t)
	days := knownDays(loc)
	chart, err := DrawChart(days, commands.French, loc)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("IsA1000By500PNG", func(t *testing.T) {
		t.Parallel()
		cfg, format, err := image.DecodeConfig(bytes.NewReader(chart))
		if err != nil || format != "png" || cfg.Width != 1000 || cfg.Height != 500 {
			t.Fatalf("%s %dx%d (%v), want a 1000×500 PNG", format, cfg.Width, cfg.Height, err)
		}
	})
	t.Run("DrawsEachNetworkWhereItHasFigures", func(t *testing.T) {
		t.Parallel()
		img, err := png.Decode(bytes.NewReader(chart))
		if err != nil {
			t.Fatal(err)
		}
		// Networks take colours in the order of their names: LinkedIn,
		// Mastodon, X. The reach panel is on the left, the engagements
		// panel in the middle, the legend on the right.
		linkedIn, mastodon, x := networkColors[0], networkColors[1], networkColors[2]
		reach, engaged := image.Rect(0, 0, 430, 500), image.Rect(430, 0, 870, 500)
		for _, tt := range []struct {
			name  string
			panel image.Rectangle
			c     color.RGBA
			bars  bool
		}{
			{"LinkedIn reach", reach, linkedIn, true},
			{"X impressions as reach", reach, x, true},
			// Mastodon gives neither reach nor impressions: no bar, no
			// invented figure.
			{"Mastodon reach", reach, mastodon, false},
			{"LinkedIn engagements", engaged, linkedIn, true},
			{"Mastodon engagements", engaged, mastodon, true},
			{"X engagements", engaged, x, true},
			{"a fourth network", image.Rect(0, 0, 1000, 500), networkColors[3], false},
		} {
			n := colourCount(img, tt.panel, tt.c)
			if tt.bars && n < 500 || !tt.bars && n != 0 {
				t.Errorf("%s: %d pixels of its colour (bars: %v)", tt.name, n, tt.bars)
			}
		}
		// The legend names the three networks with a swatch each.
		legend := image.Rect(870, 0, 1000, 200)
		for i, c := range []color.RGBA{linkedIn, mastodon, x} {
			if n := colourCount(img, legend, c); n < 50 {
				t.Errorf("legend swatch %d: %d pixels", i, n)
			}
		}
	})
	t.Run("SameDaysGiveTheSameBytes", func(t *testing.T) {
		t.Parallel()
		again, err := DrawChart(knownDays(loc), commands.French, loc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(chart, again) {
			t.Error("two drawings of the same days differ")
		}
	})
	t.Run("SpeaksEnglishToo", func(t *testing.T) {
		t.Parallel()
		english, err := DrawChart(days, commands.English, loc)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(chart, english) {
			t.Error("the English chart is the French one")
		}
	})
	t.Run("AnEmptyWeekStillDraws", func(t *testing.T) {
		t.Parallel()
		empty := make([]workflows.DailyFigures, 7)
		for i := range empty {
			empty[i] = workflows.DailyFigures{Day: days[i].Day, Networks: map[string]workflows.Figures{}}
		}
		got, err := DrawChart(empty, commands.English, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(got)); err != nil || cfg.Width != 1000 || cfg.Height != 500 {
			t.Errorf("%dx%d (%v)", cfg.Width, cfg.Height, err)
		}
	})
	t.Run("NoDaysIsAnError", func(t *testing.T) {
		t.Parallel()
		if _, err := DrawChart(nil, commands.French, loc); err == nil {
			t.Error("a chart of no days")
		}
	})
}

func BenchmarkDrawChart(b *testing.B) {
	loc := time.UTC
	days := knownDays(loc)
	for b.Loop() {
		if _, err := DrawChart(days, commands.French, loc); err != nil {
			b.Fatal(err)
		}
	}
}
