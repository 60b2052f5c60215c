package client

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

const (
	// defaultTokenLifetime is assumed when the token response says
	// nothing usable about expiry; a 401 refreshes sooner if needed.
	defaultTokenLifetime = 5 * time.Minute
	// refreshMargin is how long before expiry the token is replaced, at
	// most; short-lived tokens are replaced when 10% of their life is left.
	refreshMargin = time.Minute
)

// tokenCache holds the access token and the one fetch in flight, so any
// number of concurrent callers cause one token call.
type tokenCache struct {
	mu        sync.Mutex
	token     string
	refreshAt time.Time
	fetch     *tokenFetch
}

type tokenFetch struct {
	done  chan struct{}
	token string
	err   error
}

// token returns a token good for a while, fetching one when there is none
// or it is close to expiry.
func (c *Client) token(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	t := c.tokens
	t.mu.Lock()
	if t.token != "" && c.clock.now().Before(t.refreshAt) {
		tok := t.token
		t.mu.Unlock()
		return tok, nil
	}
	f := t.fetch
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		t.fetch = f
		// The fetch serves every waiting caller, so one caller giving
		// up must not cancel it; it is bounded by its own deadline.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.tokenDeadline())
		go func() {
			defer cancel()
			c.fetchToken(fctx, f)
		}()
	}
	t.mu.Unlock()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// tokenDeadline bounds a token fetch: every attempt with its longest wait.
func (c *Client) tokenDeadline() time.Duration {
	return time.Duration(c.retries+1) * (c.timeout + maxDelay)
}

func (c *Client) fetchToken(ctx context.Context, f *tokenFetch) {
	tok, refreshAt, err := c.generateToken(ctx)
	t := c.tokens
	t.mu.Lock()
	if err == nil {
		t.token, t.refreshAt = tok, refreshAt
	}
	t.fetch = nil
	f.token, f.err = tok, err
	t.mu.Unlock()
	close(f.done)
}

// invalidateToken drops used after the API refused it, unless another
// caller has already replaced it.
func (c *Client) invalidateToken(used string) {
	t := c.tokens
	t.mu.Lock()
	if t.token == used {
		t.token = ""
	}
	t.mu.Unlock()
}

func (c *Client) generateToken(ctx context.Context) (string, time.Time, error) {
	body := pinelabs.TokenRequest{
		ClientID:     c.clientID,
		ClientSecret: *c.secret,
		GrantType:    pinelabs.GrantTypeClientCredentials,
	}
	resp, err := run(ctx, c, &operation[pinelabs.TokenResponse]{
		name:       "generateToken",
		secretBody: true,
		send: func(ctx context.Context, api *pinelabs.ClientWithResponses, h headers) (*pinelabs.TokenResponse, error) {
			r, err := api.GenerateTokenWithResponse(ctx, &pinelabs.GenerateTokenParams{RequestID: h.requestID, RequestTimestamp: h.timestamp}, body)
			if err != nil {
				return nil, err
			}
			return r.JSON200, nil
		},
	})
	if err != nil {
		return "", time.Time{}, err
	}
	if resp.AccessToken == "" {
		return "", time.Time{}, errors.New("pinelabs generateToken: the response has no access_token")
	}
	now := c.clock.now()
	life := c.tokenLifetime(ctx, resp, now)
	return resp.AccessToken, now.Add(life - min(refreshMargin, life/10)), nil
}

// tokenLifetime reads expires_at or expires_in, whichever the server sent
// (the earlier if both).
func (c *Client) tokenLifetime(ctx context.Context, r *pinelabs.TokenResponse, now time.Time) time.Duration {
	var life time.Duration
	if r.ExpiresIn != nil && *r.ExpiresIn > 0 {
		life = time.Duration(*r.ExpiresIn) * time.Second
	}
	if r.ExpiresAt != nil {
		at, err := time.Parse(time.RFC3339Nano, *r.ExpiresAt)
		switch {
		case err != nil:
			c.log.LogAttrs(ctx, slog.LevelWarn, "pinelabs: unreadable expires_at in token response", slog.String("expires_at", *r.ExpiresAt))
		case !at.After(now):
			// Already past by our clock: the clocks disagree. Use the
			// token; a 401 will replace it.
			c.log.LogAttrs(ctx, slog.LevelWarn, "pinelabs: token expires_at is not in the future; is the clock right?", slog.String("expires_at", *r.ExpiresAt))
		case life == 0 || at.Sub(now) < life:
			life = at.Sub(now)
		}
	}
	if life <= 0 {
		life = defaultTokenLifetime
	}
	return life
}
