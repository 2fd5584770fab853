// Package notify delivers the events of the transactional outbox: signed
// webhooks (and e-mail). It talks to the casebook.Service only, never to a
// store or the HTTP layer, so every replica of `casebook serve` runs one
// Worker and they share the outbox through the database.
package notify

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/casebook/casebook"
)

// Defaults of a Worker.
const (
	DefaultConcurrency = 32
	DefaultTimeout     = 10 * time.Second
	DefaultPoll        = 250 * time.Millisecond
)

// Worker dispatches outbox events to deliveries and delivers them. Run it
// in a goroutine of its own: deliveries never run on an API request's
// path, and each attempt is bounded by Timeout, so a slow or hanging
// receiver only holds one of Concurrency slots.
type Worker struct {
	Service *casebook.Service
	// Client sends the webhooks; nil means NewClient(AllowPrivate, Timeout).
	Client       *http.Client
	AllowPrivate bool
	Timeout      time.Duration // per attempt; 0: DefaultTimeout
	Concurrency  int           // attempts in flight; 0: DefaultConcurrency
	Poll         time.Duration // wait when there is nothing to do; 0: DefaultPoll
	Logger       *slog.Logger
	// Now is the clock of signature timestamps; nil: time.Now.
	Now func() time.Time
	// Mailer, when set, sends the queued e-mails (Config.MailEnabled).
	Mailer *Mailer
}

// Run works until ctx is cancelled; attempts in flight are allowed to
// finish (each within Timeout) and recorded before it returns.
func (w *Worker) Run(ctx context.Context) {
	concurrency := cmp.Or(w.Concurrency, DefaultConcurrency)
	timeout := cmp.Or(w.Timeout, DefaultTimeout)
	poll := cmp.Or(w.Poll, DefaultPoll)
	client := w.Client
	if client == nil {
		client = NewClient(w.AllowPrivate, timeout)
	}
	logger := w.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// A lease well past the end of any attempt and its recording: a
	// claimed delivery is retried by another worker (or this one after a
	// restart) only if this one died.
	lease := 2*timeout + 5*time.Second

	results := make(chan casebook.DeliveryResult, concurrency)
	slots := make(chan struct{}, concurrency)
	var finisher sync.WaitGroup
	finisher.Go(func() { w.finish(results, logger) })
	var inflight sync.WaitGroup
	defer func() {
		inflight.Wait()
		close(results)
		finisher.Wait()
	}()
	if w.Mailer != nil {
		inflight.Go(func() { w.runMail(ctx, poll, logger) })
	}

	for ctx.Err() == nil {
		dispatched, err := w.Service.DispatchEvents(ctx)
		if err != nil && ctx.Err() == nil {
			logger.Error("dispatch events", "err", err)
		}
		var jobs []*casebook.DeliveryJob
		if free := concurrency - len(slots); free > 0 {
			if jobs, err = w.Service.ClaimDeliveries(ctx, free, lease); err != nil && ctx.Err() == nil {
				logger.Error("claim deliveries", "err", err)
			}
		}
		for _, job := range jobs {
			slots <- struct{}{}
			inflight.Go(func() {
				defer func() { <-slots }()
				results <- w.attempt(context.WithoutCancel(ctx), client, timeout, job)
			})
		}
		// Straight on while there is more to do: a full batch of events
		// (the outbox may hold more) or deliveries claimed (more may be
		// due). Otherwise wait for Poll, even after a partial batch: under
		// a stream of writes, going round again at once took two writes of
		// the one writer (and the webhooks' reads) per round for the few
		// events of the last commit (docs/benchmarks.md, finding 25). An
		// event waits at most Poll for its deliveries, as on an idle server.
		if dispatched >= casebook.DispatchBatchSize || len(jobs) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
	}
}

// mailBatch is how many mails one claim takes; they are sent one after
// another, each within the Mailer's timeout.
const mailBatch = 10

// runMail sends queued e-mails until ctx is cancelled.
func (w *Worker) runMail(ctx context.Context, poll time.Duration, logger *slog.Logger) {
	timeout := w.Mailer.timeout()
	for ctx.Err() == nil {
		mails, err := w.Service.ClaimMails(ctx, mailBatch, 2*mailBatch*timeout+5*time.Second)
		if err != nil && ctx.Err() == nil {
			logger.Error("claim mails", "err", err)
		}
		for _, m := range mails {
			failure := ""
			if err := w.Mailer.Send(context.WithoutCancel(ctx), m); err != nil {
				failure = err.Error()
				logger.Warn("mail not sent", "mail_id", m.ID, "event_id", m.EventID, "attempt", m.Attempts, "err", err)
			}
			rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := w.Service.FinishMail(rctx, m, failure); err != nil {
				logger.Error("record mail", "mail_id", m.ID, "err", err)
			}
			cancel()
		}
		if len(mails) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
	}
}

// finish records results in batches: whatever has arrived is written in
// one transaction.
func (w *Worker) finish(results <-chan casebook.DeliveryResult, logger *slog.Logger) {
	for r := range results {
		batch := []casebook.DeliveryResult{r}
	more:
		for len(batch) < 256 {
			select {
			case r, ok := <-results:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		// Recording must survive shutdown: it is what keeps a delivered
		// event from being sent again.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := w.Service.FinishDeliveries(ctx, batch); err != nil {
			logger.Error("record deliveries", "count", len(batch), "err", err)
		}
		cancel()
	}
}

// attempt makes one signed POST and returns its outcome.
func (w *Worker) attempt(ctx context.Context, client *http.Client, timeout time.Duration, job *casebook.DeliveryJob) casebook.DeliveryResult {
	res := casebook.DeliveryResult{Job: job}
	body, err := encodePayload(job.Event)
	if err != nil {
		res.Failure = "encode payload: " + err.Error()
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.URL, bytes.NewReader(body))
	if err != nil {
		res.Failure = "bad target URL"
		return res
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Casebook-Webhook/1")
	req.Header.Set(HeaderEventID, job.Event.ID)
	req.Header.Set(HeaderEventType, job.Event.Type)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(job.Delivery.ID, 10))
	req.Header.Set(HeaderAttempt, strconv.Itoa(job.Delivery.Attempts))
	req.Header.Set(HeaderSignature, Sign(job.Secret, now(), body))
	resp, err := client.Do(req)
	if err != nil {
		res.Failure = describeError(err)
		return res
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	res.Status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.Failure = "HTTP " + resp.Status
	}
	return res
}

// describeError says why an attempt failed without the URL, which may
// carry a token of the receiver's.
func describeError(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	switch {
	case errors.Is(err, ErrPrivateTarget):
		return "refused: " + err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	return fmt.Sprintf("no answer: %v", err)
}
