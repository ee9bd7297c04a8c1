package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc CPU times (100 on Linux everywhere
// that matters).
const clockTicks = 100

// cpuSnapshot is where the machine's CPU time has gone so far: this process,
// the PostgreSQL and Redis server processes, and the whole machine. The
// difference of two snapshots says who used the cores during a timed phase;
// on a shared machine "others" is the work of other people.
type cpuSnapshot struct {
	at                      time.Time
	self                    float64             // seconds of CPU (user+system)
	postgres, redis         map[string]float64  // by PID
	ours                    map[string]float64  // PostgreSQL backends connected to the instance's database, by PID
	all                     map[string]procTime // every process, by PID
	machineBusy, machineAll float64             // seconds, summed over all cores
}

func takeCPUSnapshot(inst *instance) cpuSnapshot {
	s := cpuSnapshot{at: time.Now(), postgres: map[string]float64{}, redis: map[string]float64{}, ours: map[string]float64{}, all: map[string]procTime{}}
	// PostgreSQL is shared with other people's tests: tell our database's
	// backends apart by asking the server which they are.
	var ourPIDs []string
	if inst != nil && inst.Store.Dialect().String() == "pg" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		inst.Store.DB().NewRaw("SELECT pid::text FROM pg_stat_activity WHERE datname = current_database()").Scan(ctx, &ourPIDs) //nolint:errcheck // without it "ours" stays empty
		cancel()
	}
	for _, pid := range ourPIDs {
		s.ours[pid] = procCPU("/proc/" + pid + "/stat")
	}
	s.self = procCPU("/proc/self/stat")
	if paths, err := filepath.Glob("/proc/[0-9]*/stat"); err == nil {
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			pid := filepath.Base(filepath.Dir(p))
			s.all[pid] = procTime{comm: commOf(string(b)), cpu: cpuOf(string(b))}
			switch commOf(string(b)) {
			case "postgres": // with reaped children: the postmaster forks a backend per connection
				s.postgres[pid] = cpuOf(string(b)) + childrenCPUOf(string(b))
			case "redis-server":
				s.redis[pid] = cpuOf(string(b))
			}
		}
	}
	m := takeMachineCPU()
	s.machineAll, s.machineBusy = m.machineAll, m.machineBusy
	return s
}

// childrenCPUOf is cutime+cstime of /proc/PID/stat: the CPU of children
// that have exited and been waited for, in seconds.
func childrenCPUOf(stat string) float64 {
	j := strings.LastIndexByte(stat, ')')
	if j < 0 {
		return 0
	}
	f := strings.Fields(stat[j+1:])
	if len(f) < 15 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[13], 64)
	s, _ := strconv.ParseFloat(f[14], 64)
	return (u + s) / clockTicks
}

func procCPU(path string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return cpuOf(string(b))
}

// commOf is the (name) field of /proc/PID/stat.
func commOf(stat string) string {
	i, j := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if i < 0 || j < i {
		return ""
	}
	return stat[i+1 : j]
}

// cpuOf is utime+stime of /proc/PID/stat, in seconds.
func cpuOf(stat string) float64 {
	j := strings.LastIndexByte(stat, ')')
	if j < 0 {
		return 0
	}
	f := strings.Fields(stat[j+1:]) // state ppid … ; utime and stime are fields 14 and 15 of the line
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / clockTicks
}

// cpuReport describes the CPU used between two snapshots, in cores.
func cpuReport(a, b cpuSnapshot) string {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return "?"
	}
	self := b.self - a.self
	pg := grown(a.postgres, b.postgres)
	rd := grown(a.redis, b.redis)
	busy := b.machineBusy - a.machineBusy
	all := b.machineAll - a.machineAll
	others := max(busy-self-pg-rd, 0)
	idle := max(all-busy, 0)
	text := fmt.Sprintf("CPU in cores over %.2f s: fedbench process %.2f, postgres %.2f (of which backends of our database alive throughout %.2f), redis %.2f, everything else %.2f, idle %.2f",
		wall, self/wall, pg/wall, grown(a.ours, b.ours)/wall, rd/wall, others/wall, idle/wall)
	// Name the biggest other users, so a reader can see whose work it was.
	byComm := map[string]float64{}
	selfPID := strconv.Itoa(os.Getpid())
	for pid, t := range b.all {
		if pid == selfPID || t.comm == "postgres" || t.comm == "redis-server" {
			continue
		}
		byComm[t.comm] += max(t.cpu-a.all[pid].cpu, 0)
	}
	type use struct {
		comm  string
		cores float64
	}
	var uses []use
	for c, v := range byComm {
		if v/wall >= 0.05 {
			uses = append(uses, use{c, v / wall})
		}
	}
	sort.Slice(uses, func(i, j int) bool { return uses[i].cores > uses[j].cores })
	if len(uses) > 0 {
		text += " (others:"
		for i, u := range uses {
			if i == 4 {
				break
			}
			text += fmt.Sprintf(" %s %.2f", u.comm, u.cores)
		}
		text += ")"
	}
	return text
}

type procTime struct {
	comm string
	cpu  float64
}

// grown sums the CPU time the processes of b used since a (a process that
// started in between counts whole; one that ended in between is lost).
func grown(a, b map[string]float64) float64 {
	sum := 0.0
	for pid, t := range b {
		sum += max(t-a[pid], 0)
	}
	return sum
}

// quietWanted is -quiet: idle cores to wait for before each measurement (0: don't wait).
var (
	quietWanted float64
	quietWithin time.Duration
)

// waitQuiet waits, for at most quietWithin, until the machine has had at
// least quietWanted idle cores over one second: on a machine shared with
// other people's builds and tests, start measuring in a lull. It prints what
// it found either way.
func waitQuiet(what string) {
	if quietWanted <= 0 {
		return
	}
	start := time.Now()
	idle := 0.0
	for time.Since(start) < quietWithin {
		a := takeMachineCPU()
		time.Sleep(time.Second)
		b := takeMachineCPU()
		idle = ((b.machineAll - a.machineAll) - (b.machineBusy - a.machineBusy)) / b.at.Sub(a.at).Seconds()
		if idle >= quietWanted {
			fmt.Printf("(before %s: %.2f idle cores after waiting %.0f s)\n", what, idle, time.Since(start).Seconds())
			return
		}
	}
	fmt.Printf("(before %s: only %.2f idle cores after waiting %.0f s; measuring anyway)\n", what, idle, time.Since(start).Seconds())
}

// takeMachineCPU reads only the machine-wide counters.
func takeMachineCPU() cpuSnapshot {
	s := cpuSnapshot{at: time.Now()}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
		for i, v := range f[1:] {
			x, _ := strconv.ParseFloat(v, 64)
			s.machineAll += x / clockTicks
			if i != 3 && i != 4 { // idle, iowait
				s.machineBusy += x / clockTicks
			}
		}
	}
	return s
}

// cpuPer is the CPU each item cost between two snapshots, in milliseconds:
// this process alone, and with every postgres and redis-server process
// added. Those servers may serve other people meanwhile (compare "our
// database's backends" in cpuReport), but backends that start and exit
// within the window (connection churn) can only be seen through the
// postmaster's reaped-children time, so all of PostgreSQL is counted.
func cpuPer(a, b cpuSnapshot, items int64) (self, withServers float64) {
	if items <= 0 {
		return 0, 0
	}
	s := b.self - a.self
	all := s + grown(a.postgres, b.postgres) + grown(a.redis, b.redis)
	return 1000 * s / float64(items), 1000 * all / float64(items)
}
