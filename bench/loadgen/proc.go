package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// cpuTicks reads the process's user and system CPU time, in clock ticks,
// from /proc/<pid>/stat (fields 14 and 15: utime and stime).
func cpuTicks(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatTicks(raw)
}

// parseStatTicks reads utime+stime from the text of /proc/<pid>/stat. The
// command name (field 2) is in parentheses and may hold spaces and
// parentheses itself, so fields are counted after its last ')'.
func parseStatTicks(raw []byte) (int64, error) {
	end := bytes.LastIndexByte(raw, ')')
	if end < 0 {
		return 0, errors.New("proc stat: no command name")
	}
	// After the name: field 3 (state) is the first; utime is field 14.
	fields := strings.Fields(string(raw[end+1:]))
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("proc stat: %d fields after the name, want more than %d", len(fields), stime)
	}
	u, err := strconv.ParseInt(fields[utime], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat: utime: %w", err)
	}
	s, err := strconv.ParseInt(fields[stime], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat: stime: %w", err)
	}
	return u + s, nil
}

// memoryKB reads VmHWM (the peak resident set) and VmRSS from
// /proc/<pid>/status, in kB.
func memoryKB(pid int) (peak, now int64, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	return parseStatusMemory(raw)
}

func parseStatusMemory(raw []byte) (peak, now int64, err error) {
	found := 0
	for line := range strings.SplitSeq(string(raw), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("proc status: %s: %w", name, err)
		}
		if name == "VmHWM" {
			peak = kb
		} else {
			now = kb
		}
		found++
	}
	if found != 2 {
		return 0, 0, errors.New("proc status: no VmHWM or VmRSS")
	}
	return peak, now, nil
}

// resetPeakRSS makes VmHWM start again from the current resident set
// (writing 5 to /proc/<pid>/clear_refs, Linux 4.0 and later), so that the
// peak read after a run is the peak under that run's load and not a former
// one's. It needs the right to write there (the process's owner).
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}
