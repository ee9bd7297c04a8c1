package app

import (
	"context"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// registerAIFreeGauge exports the AI-free switch as assay_ai_free (1 on,
// 0 off), read from the instance settings at each scrape so it is right
// whichever process or tool flipped it. A database that does not answer
// gives NaN rather than a guess.
func (a *App) registerAIFreeGauge() {
	a.Metrics.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "assay_ai_free",
		Help: "1 when the instance is AI-free (refuses labelled synthetic media and generates nothing), else 0.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		inst, err := a.Instance.Get(ctx)
		if err != nil {
			a.Log.Warn("metrics: reading the AI-free switch failed", "err", err)
			return math.NaN()
		}
		if inst.AIFree {
			return 1
		}
		return 0
	}))
}
