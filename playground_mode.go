package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"catweete/config"
	"catweete/playground"
	"catweete/social/sandbox"
)

// envPlaygroundSpeed speeds the playground's clock up for a demo.
const envPlaygroundSpeed = "CATWEETE_PLAYGROUND_SPEED"

// playgroundMode is what running without Slack changes: a listener opened
// before anything else (the bot's first Web API call, auth.test, goes to
// it), the Slack configuration pointed at it, a clock that may run fast,
// and the sandbox network the page shows.
type playgroundMode struct {
	listener net.Listener
	// baseURL reaches this process from itself: "http://127.0.0.1:3000".
	baseURL       string
	signingSecret string
	speed         float64
	now           func() time.Time
	sandbox       *sandbox.Network
}

// preparePlayground listens on CATWEETE_HTTP_ADDR (127.0.0.1:3000 unless
// set) and sets cfg up as a Slack app of the playground's workspace would
// be: its Web API, its token and a fresh signing secret, #approbations for
// the cards and its two approvers.
func preparePlayground(cfg *config.Config, log *slog.Logger) (*playgroundMode, error) {
	speed, err := playground.ParseSpeed(os.Getenv(envPlaygroundSpeed))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envPlaygroundSpeed, err)
	}
	addr := cfg.HTTPAddr
	if _, set := os.LookupEnv("CATWEETE_HTTP_ADDR"); !set {
		addr = playground.DefaultAddr
	}
	if cfg.ApprovalsRequired > len(playground.Approvers()) {
		return nil, fmt.Errorf("CATWEETE_APPROVALS_REQUIRED: %d approvals required but the playground has %d approvers",
			cfg.ApprovalsRequired, len(playground.Approvers()))
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("CATWEETE_HTTP_ADDR: %w", err)
	}
	if host, _, _ := net.SplitHostPort(addr); !isLoopback(host) {
		log.Warn("the playground listens beyond this machine: whoever reaches it can act as anyone", "addr", addr)
	}
	m := &playgroundMode{
		listener:      listener,
		baseURL:       "http://" + selfAddr(listener.Addr().(*net.TCPAddr)),
		signingSecret: playground.NewSigningSecret(),
		speed:         speed,
		now:           playground.Clock(speed),
	}
	m.sandbox = sandbox.New(sandbox.Config{BaseURL: m.baseURL + "/pg/network", NowFunc: m.now})
	cfg.HTTPAddr = listener.Addr().String()
	cfg.SlackAPIURL = m.baseURL + "/api/"
	cfg.BotToken = config.NewSecret(playground.BotToken)
	cfg.SigningSecret = config.NewSecret(m.signingSecret)
	cfg.ApprovalChannel = playground.ChannelApprovals
	cfg.Approvers = playground.Approvers()
	return m, nil
}

// every is a cron spec for a sweep that runs every d of the playground's
// time (every d when the clock runs at real speed), once a second at most.
func (m *playgroundMode) every(d time.Duration) string {
	if m != nil && m.speed > 1 {
		d = max(time.Duration(float64(d)/m.speed), time.Second)
	}
	return "@every " + d.String()
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// selfAddr is how this process reaches its own listener: an unspecified
// host (":3000", "0.0.0.0:3000") is reached on the loopback.
func selfAddr(a *net.TCPAddr) string {
	ip := a.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(a.Port))
}
