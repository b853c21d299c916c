package x

import (
	"strings"
	"unicode/utf8"
)

// punycodeLength returns the length of label as a DNS label: itself when it
// is ASCII, else "xn--" and its punycode (RFC 3492). twitter-text refuses a
// link whose domain has a label longer than 63 that way, so that a long
// run of CJK letters glued to ".com" is text, not a 23-character link.
func punycodeLength(label string) int {
	ascii := true
	for i := 0; i < len(label); i++ {
		if label[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return len(label)
	}
	if utf8.RuneCountInString(label) > maxLabelLength {
		// Punycode never shortens a label: it is too long already.
		return maxLabelLength + 1
	}
	return len("xn--") + len(punycode(label))
}

// RFC 3492 parameters.
const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
)

// punycode encodes s as RFC 3492 section 6.3 does (without the "xn--"
// prefix). Callers keep s short, so the arithmetic cannot overflow.
func punycode(s string) string {
	input := []rune(s)
	var out strings.Builder
	for _, r := range input {
		if r < pcInitialN {
			out.WriteRune(r)
		}
	}
	basic := out.Len()
	h := basic
	if basic > 0 {
		out.WriteByte('-')
	}
	n, delta, bias := rune(pcInitialN), 0, pcInitialBias
	for h < len(input) {
		m := rune(0x10FFFF + 1)
		for _, r := range input {
			if r >= n && r < m {
				m = r
			}
		}
		delta += int(m-n) * (h + 1)
		n = m
		for _, r := range input {
			if r < n {
				delta++
			}
			if r != n {
				continue
			}
			q := delta
			for k := pcBase; ; k += pcBase {
				t := k - bias
				switch {
				case k <= bias:
					t = pcTMin
				case k >= bias+pcTMax:
					t = pcTMax
				}
				if q < t {
					break
				}
				out.WriteByte(punycodeDigit(t + (q-t)%(pcBase-t)))
				q = (q - t) / (pcBase - t)
			}
			out.WriteByte(punycodeDigit(q))
			bias = punycodeAdapt(delta, h+1, h == basic)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return out.String()
}

// punycodeAdapt is RFC 3492's bias adaptation (section 6.1).
func punycodeAdapt(delta, points int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}

// punycodeDigit is RFC 3492's digit d as a lower-case ASCII letter or digit.
func punycodeDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}
