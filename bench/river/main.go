// Command river-bench runs the benchmark's workloads on River, as its own
// process, the way River is deployed: a Go program with a River client.
//
// It migrates River's schema (rivermigrate) into -schema, then runs four
// phases in order and prints one JSON line after each:
//
//	{"done":"migrate"}
//	{"done":"enqueue","seconds":…}                 -jobs no-op jobs by InsertMany, batches of -batch
//	{"done":"process","seconds":…}                 a River client works them; clock stops at the last completion event
//	{"done":"wake","latencies_s":[…]}              an idle client: Insert called -> Work starts
//	{"done":"single","seconds":…,"calls":…}        -single-calls Insert calls from -producers goroutines
//
// After each line it waits for one line on standard input before starting
// the next phase, so that the benchmark can read CPU clocks between phases
// (at end of input it goes straight on). It checks that every job completed
// exactly once and exits non-zero if not.
//
// The worker client is configured as River's own benchmark (riverbench)
// configures it: FetchCooldown 2 ms, FetchPollInterval 20 ms, one queue with
// MaxWorkers 2,000, LISTEN/NOTIFY on (not poll-only).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// NoopArgs is the no-op job of the throughput phases.
type NoopArgs struct {
	N int `json:"n"`
}

// Kind names the job kind.
func (NoopArgs) Kind() string { return "bench_noop" }

// NoopWorker does nothing.
type NoopWorker struct {
	river.WorkerDefaults[NoopArgs]
}

// Work returns at once.
func (NoopWorker) Work(context.Context, *river.Job[NoopArgs]) error { return nil }

// WakeArgs is the job of the wake-up phase.
type WakeArgs struct {
	I int `json:"i"`
}

// Kind names the job kind.
func (WakeArgs) Kind() string { return "bench_wake" }

// WakeWorker reports the moment its handler starts.
type WakeWorker struct {
	river.WorkerDefaults[WakeArgs]
	started chan<- time.Time
}

// Work sends the time it started.
func (w WakeWorker) Work(context.Context, *river.Job[WakeArgs]) error {
	w.started <- time.Now()
	return nil
}

// SingleArgs is the job of the single-insert phase (never worked).
type SingleArgs struct {
	N int `json:"n"`
}

// Kind names the job kind.
func (SingleArgs) Kind() string { return "bench_single" }

type options struct {
	dsn            string
	schema         string
	jobs           int
	batch          int
	latencySamples int
	singleCalls    int
	producers      int
}

func main() {
	var o options
	flag.StringVar(&o.dsn, "dsn", "", "PostgreSQL URL")
	flag.StringVar(&o.schema, "schema", "river_bench", "schema to create and migrate River into")
	flag.IntVar(&o.jobs, "jobs", 20_000, "no-op jobs to enqueue and work")
	flag.IntVar(&o.batch, "batch", 1000, "jobs per InsertMany")
	flag.IntVar(&o.latencySamples, "latency-samples", 200, "wake-up samples")
	flag.IntVar(&o.singleCalls, "single-calls", 4000, "single-job Insert calls")
	flag.IntVar(&o.producers, "producers", 16, "concurrent single-job producers (and pool connections)")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "river-bench:", err)
		os.Exit(1)
	}
}

// step prints one phase's figures and waits for the go-ahead on stdin.
func step(out *json.Encoder, in *bufio.Reader, figures map[string]any) error {
	if err := out.Encode(figures); err != nil {
		return err
	}
	_, _ = in.ReadString('\n') // at the end of input, go straight on
	return nil
}

func run(ctx context.Context, o options) error {
	out := json.NewEncoder(os.Stdout)
	in := bufio.NewReader(os.Stdin)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	pool, err := pgxpool.New(ctx, o.dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	schema := pgx.Identifier{o.schema}.Sanitize()
	if _, err := pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE; CREATE SCHEMA "+schema); err != nil {
		return err
	}
	driver := riverpgxv5.New(pool)
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: o.schema, Logger: logger})
	if err != nil {
		return err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return err
	}
	if err := step(out, in, map[string]any{"done": "migrate"}); err != nil {
		return err
	}

	started := make(chan time.Time, 1)
	workers := river.NewWorkers()
	river.AddWorker(workers, NoopWorker{})
	river.AddWorker(workers, WakeWorker{started: started})
	client, err := river.NewClient(driver, &river.Config{
		// As riverbench: these two dominate throughput.
		FetchCooldown:     2 * time.Millisecond,
		FetchPollInterval: 20 * time.Millisecond,
		Logger:            logger,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2_000}},
		Schema:            o.schema,
		Workers:           workers,
	})
	if err != nil {
		return err
	}

	// Enqueue before the client starts, as riverbench does.
	params := make([]river.InsertManyParams, 0, o.batch)
	began := time.Now()
	for start := 0; start < o.jobs; start += o.batch {
		params = params[:0]
		for n := start; n < min(start+o.batch, o.jobs); n++ {
			params = append(params, river.InsertManyParams{Args: NoopArgs{N: n}})
		}
		if _, err := client.InsertMany(ctx, params); err != nil {
			return err
		}
	}
	if err := step(out, in, map[string]any{"done": "enqueue", "seconds": time.Since(began).Seconds()}); err != nil {
		return err
	}

	// Count completions through the subscription, as riverbench does: it sees a
	// job once the completer has recorded it, not when Work returns.
	events, cancel := client.SubscribeConfig(&river.SubscribeConfig{
		ChanSize: o.jobs + o.latencySamples,
		Kinds:    []river.EventKind{river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled},
	})
	defer cancel()
	var completed atomic.Int64
	allDone := make(chan struct{})
	go func() {
		for ev := range events {
			if ev.Kind != river.EventKindJobCompleted {
				logger.Error("job did not complete", "kind", ev.Kind, "id", ev.Job.ID)
				continue
			}
			if ev.Job.Kind == (NoopArgs{}).Kind() && completed.Add(1) == int64(o.jobs) {
				close(allDone)
			}
		}
	}()
	began = time.Now()
	if err := client.Start(ctx); err != nil {
		return err
	}
	select {
	case <-allDone:
	case <-time.After(10 * time.Minute):
		return fmt.Errorf("only %d of %d jobs completed", completed.Load(), o.jobs)
	}
	processS := time.Since(began).Seconds()
	if err := verify(ctx, pool, schema, NoopArgs{}.Kind(), o.jobs, "completed"); err != nil {
		return err
	}
	if err := step(out, in, map[string]any{"done": "process", "seconds": processS}); err != nil {
		return err
	}

	latencies := make([]float64, 0, o.latencySamples)
	for i := range o.latencySamples {
		sent := time.Now()
		if _, err := client.Insert(ctx, WakeArgs{I: i}, nil); err != nil {
			return err
		}
		select {
		case at := <-started:
			latencies = append(latencies, at.Sub(sent).Seconds())
		case <-time.After(10 * time.Second):
			return fmt.Errorf("wake-up sample %d: handler never started", i)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopCtx, stopCancel := context.WithTimeout(ctx, 30*time.Second)
	defer stopCancel()
	if err := client.Stop(stopCtx); err != nil {
		return err
	}
	if err := step(out, in, map[string]any{"done": "wake", "latencies_s": latencies}); err != nil {
		return err
	}

	// One job per Insert call, from an insert-only client over a pool of
	// -producers connections: how a web application enqueues.
	singleCfg, err := pgxpool.ParseConfig(o.dsn)
	if err != nil {
		return err
	}
	singleCfg.MaxConns = int32(o.producers)
	singleCfg.MinConns = int32(o.producers)
	singlePool, err := pgxpool.NewWithConfig(ctx, singleCfg)
	if err != nil {
		return err
	}
	defer singlePool.Close()
	inserter, err := river.NewClient(riverpgxv5.New(singlePool), &river.Config{Logger: logger, Schema: o.schema})
	if err != nil {
		return err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, o.producers)
	began = time.Now()
	for range o.producers {
		wg.Go(func() {
			for n := next.Add(1); n <= int64(o.singleCalls); n = next.Add(1) {
				if _, err := inserter.Insert(ctx, SingleArgs{N: int(n)}, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	singleS := time.Since(began).Seconds()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if err := verify(ctx, pool, schema, SingleArgs{}.Kind(), o.singleCalls, "available"); err != nil {
		return err
	}
	return step(out, in, map[string]any{"done": "single", "seconds": singleS, "calls": o.singleCalls})
}

// verify checks that `want` jobs of `kind` exist, all in `state`, each attempted at most once.
func verify(ctx context.Context, pool *pgxpool.Pool, schema, kind string, want int, state string) error {
	var total, inState, retried int
	err := pool.QueryRow(ctx,
		"SELECT count(*), count(*) FILTER (WHERE state = $2), count(*) FILTER (WHERE attempt > 1) FROM "+
			schema+".river_job WHERE kind = $1", kind, state,
	).Scan(&total, &inState, &retried)
	if err != nil {
		return err
	}
	if total != want || inState != want || retried != 0 {
		return fmt.Errorf("%s: %d jobs, %d %s, %d retried; want %d %s, none retried",
			kind, total, inState, state, retried, want, state)
	}
	return nil
}
