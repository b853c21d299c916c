package playground

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// MaxSpeed bounds CATWEETE_PLAYGROUND_SPEED: beyond it a day passes in
// under a second and nothing can be watched.
const MaxSpeed = 100_000

// ParseSpeed reads CATWEETE_PLAYGROUND_SPEED: a number ≥ 1, how many times
// faster than real time the playground's clock runs; empty is 1.
func ParseSpeed(s string) (float64, error) {
	if s == "" {
		return 1, nil
	}
	speed, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(speed) || speed < 1 || speed > MaxSpeed {
		return 0, fmt.Errorf("%q is not a number from 1 to %d (how many times faster than real time, e.g. 60: a day in 24 minutes)", s, MaxSpeed)
	}
	return speed, nil
}

// Clock returns a clock that starts at the real time now and runs speed
// times faster: with 60, an hour passes in a minute. Speed 1 (or less) is
// time.Now itself. Its readings never go backwards.
func Clock(speed float64) func() time.Time {
	if speed <= 1 {
		return time.Now
	}
	start := time.Now()
	return func() time.Time {
		elapsed := time.Since(start) // monotonic
		return start.Add(time.Duration(float64(elapsed) * speed))
	}
}
