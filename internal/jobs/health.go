package jobs

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hibiken/asynq"
)

// QueueHealth is what Redis holds for one queue, as asynq's inspector
// counts it, plus the tasks it ran and failed today (UTC).
type QueueHealth struct {
	Name      string // deliver, inbox, …, without the namespace
	Pending   int
	Active    int
	Scheduled int
	Retry     int
	Archived  int
	Processed int // today, succeeded or not
	Failed    int // today
}

// Health reports every queue of DESIGN.md §7 in a fixed order; a queue that
// has never held a task reports zeros. The database owns retries (see
// ARCHITECTURE.md), so a job waiting for its next attempt shows as
// scheduled, and Retry and Archived stay near zero.
func (q *Queue) Health() ([]QueueHealth, error) {
	inspector := asynq.NewInspectorFromRedisClient(q.redis.Client)
	known, err := inspector.Queues()
	if err != nil {
		return nil, fmt.Errorf("listing the queues in Redis: %w", err)
	}
	names := make([]string, 0, len(queueWeights))
	for name := range queueWeights {
		names = append(names, name)
	}
	// busiest share first, as the worker weighs them
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(queueWeights[b]-queueWeights[a], strings.Compare(a, b)) })
	out := make([]QueueHealth, 0, len(names))
	for _, name := range names {
		h := QueueHealth{Name: name}
		if slices.Contains(known, q.queueName(name)) {
			info, err := inspector.GetQueueInfo(q.queueName(name))
			if err != nil {
				return nil, fmt.Errorf("inspecting the %s queue: %w", name, err)
			}
			h.Pending, h.Active, h.Scheduled, h.Retry, h.Archived = info.Pending, info.Active, info.Scheduled, info.Retry, info.Archived
			h.Processed, h.Failed = info.Processed, info.Failed
		}
		out = append(out, h)
	}
	return out, nil
}
