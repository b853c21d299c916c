package commands

import (
	"testing"

	"catweete/workflows"
)

// BenchmarkParse parses what people most often type, one sub-benchmark
// each (benchstat compares them across runs):
//
//	go test -run '^$' -bench Parse -count 6 ./commands | tee new.txt && benchstat new.txt
func BenchmarkParse(b *testing.B) {
	r, err := New(Config{Service: &workflows.Service{}})
	if err != nil {
		b.Fatal(err)
	}
	for _, bench := range []struct{ name, text string }{
		{"help", "help"},
		{"status-phrase", "alors ça tweete ?"},
		{"mention-sentence", "<@UBOT> Salut, alors ça tweete ce matin ?"},
		{"draft", "brouillon Notre nouveau site est en ligne : https://example.com/nouveau #lancement"},
		{"schedule", "programmer 12 demain 9h30"},
		{"unknown", "bonjour à tous"},
	} {
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.Parse(bench.text)
			}
		})
	}
}
