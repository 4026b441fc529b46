package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTicks is USER_HZ, the unit of utime/stime in /proc/<pid>/stat (100 on Linux).
const clockTicks = 100

var errNoPID = errors.New("phxload: no -pid given")

// rssKiB reads VmRSS from /proc/<pid>/status.
func rssKiB(pid int) (int64, error) {
	if pid <= 0 {
		return 0, errNoPID
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read status: %w", err)
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			f := bytes.Fields(rest)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(string(f[0]), 10, 64)
		}
	}
	return 0, errors.New("phxload: VmRSS not found")
}

// cpuTicks reads utime+stime from /proc/<pid>/stat.
func cpuTicks(pid int) (int64, error) {
	if pid <= 0 {
		return 0, errNoPID
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read stat: %w", err)
	}
	// The command name (field 2) may contain spaces; fields after ")" are fixed.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("phxload: malformed stat")
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, errors.New("phxload: malformed stat")
	}
	// After ")": state is f[0], so utime (field 14) is f[11] and stime (15) is f[12].
	u, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	s, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("phxload: malformed stat: %w", err)
	}
	return u + s, nil
}

// cpuMeter measures a process's CPU use over an interval, as a percentage of one core.
type cpuMeter struct {
	pid   int
	ticks int64
	at    time.Time
}

func startCPU(pid int) (*cpuMeter, error) {
	t, err := cpuTicks(pid)
	if err != nil {
		return nil, err
	}
	return &cpuMeter{pid: pid, ticks: t, at: time.Now()}, nil
}

// percent returns the CPU used since start, in percent of one core.
func (m *cpuMeter) percent() (float64, error) {
	t, err := cpuTicks(m.pid)
	if err != nil {
		return 0, err
	}
	wall := time.Since(m.at).Seconds()
	return float64(t-m.ticks) / clockTicks / wall * 100, nil
}
