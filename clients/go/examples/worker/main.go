// Command worker is the README's example: it completes every "thumbnail"
// action until SIGINT or SIGTERM, then finishes what it holds and exits.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"

	"actionq.dev/go/actionq"
	actionqv1 "actionq.dev/go/actionq/v1"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, err := actionq.New(actionq.Config{}) // ACTIONQ_SERVER or 127.0.0.1:50051, plaintext
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	w := &actionq.Worker{Client: client, Name: "thumbnailer-1", ActionTypes: []string{"thumbnail"},
		Handler: func(ctx context.Context, a *actionqv1.Action) (actionq.Result, error) {
			return actionq.Result{Ref: "thumbs/" + a.GetTargetRef()}, nil
		}}
	if err := w.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
