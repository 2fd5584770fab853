// Package testcontrol holds the test controls of a Casebook that serves as
// a stand-in in other programs' tests: a clock that can be moved forward,
// and a reset that empties the store. `casebook serve --test-controls` and
// the casebooktest package expose them; a production server never routes
// them.
package testcontrol

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/sqlstore"
)

// Prefix starts the paths of the test controls' endpoints.
const Prefix = "/testing/v1/"

// Clock is the system clock moved forward by an offset that only Advance
// changes. A server gives its Now to the Service (every expiry check, the
// sweeper) and to the HTTP layer (tokens, signatures, links), so that
// moving it moves all of them together.
type Clock struct {
	offset atomic.Int64 // nanoseconds
}

// Now returns the system time plus the offset.
func (c *Clock) Now() time.Time { return time.Now().Add(c.Offset()) }

// Offset returns how far the clock is ahead of the system's.
func (c *Clock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// Controls are the test controls over one store.
type Controls struct {
	DB     *sqlstore.DB
	Blobs  casebook.BlobStore
	Clock  *Clock
	Logger *slog.Logger
	// Sweep ends the grants whose window has ended (the server's expiry
	// sweeper, run once).
	Sweep func(context.Context) error
}

// Reset deletes every account, user, engineer, ticket, attachment, grant
// and audit event, and sets the clock back to the system's.
func (c *Controls) Reset(ctx context.Context) error {
	keys, err := c.DB.Reset(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := c.Blobs.Delete(ctx, k); err != nil {
			return fmt.Errorf("reset: delete attachment: %w", err)
		}
	}
	c.Clock.offset.Store(0)
	c.Logger.Warn("test controls: store reset", "attachments_deleted", len(keys))
	return nil
}

// Advance moves the clock forward by d and runs the sweeper at once, so
// that grants whose window has now ended are ended (their credentials
// destroyed) when it returns. The clock never goes back: that would revive
// ended grants.
func (c *Controls) Advance(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return casebook.Invalidf("advance", "The clock only moves forward: advance must be positive, got %s.", d)
	}
	c.Clock.offset.Add(int64(d))
	c.Logger.Warn("test controls: clock advanced", "by", d.String(), "offset", c.Clock.Offset().String())
	if err := c.Sweep(ctx); err != nil {
		return fmt.Errorf("sweep after advancing the clock: %w", err)
	}
	return nil
}

// Register routes the endpoints on mux:
//
//	POST /testing/v1/reset   empty the store (204)
//	GET  /testing/v1/clock   {"now": "...", "offset": "48h0m0s"}
//	POST /testing/v1/clock   {"advance": "48h"}: move the clock forward
func (c *Controls) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+Prefix+"reset", c.handleReset)
	mux.HandleFunc("GET "+Prefix+"clock", c.handleClock)
	mux.HandleFunc("POST "+Prefix+"clock", c.handleAdvance)
}

// ClockState is the body of the clock endpoints.
type ClockState struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
}

func (c *Controls) state() ClockState {
	return ClockState{Now: c.Clock.Now().UTC(), Offset: c.Clock.Offset().String()}
}

func (c *Controls) handleReset(w http.ResponseWriter, r *http.Request) {
	if err := c.Reset(r.Context()); err != nil {
		c.fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *Controls) handleClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, c.state())
}

func (c *Controls) handleAdvance(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Advance string `json:"advance"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		c.fail(w, http.StatusBadRequest, fmt.Errorf(`the body must be {"advance": "DURATION"}: %v`, err))
		return
	}
	d, err := time.ParseDuration(in.Advance)
	if err != nil || d <= 0 {
		c.fail(w, http.StatusBadRequest, fmt.Errorf(`advance must be a positive Go duration such as "90m" or "48h", got %q`, in.Advance))
		return
	}
	if err := c.Advance(r.Context(), d); err != nil {
		c.fail(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, c.state())
}

// fail writes an error in the envelope of the API.
func (c *Controls) fail(w http.ResponseWriter, status int, err error) {
	code := "OSM.01010001"
	if status >= 500 {
		code = "OSM.0004"
		c.Logger.Error("test controls", "err", err)
	}
	writeJSON(w, status, map[string]string{"error_code": code, "error_msg": err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
