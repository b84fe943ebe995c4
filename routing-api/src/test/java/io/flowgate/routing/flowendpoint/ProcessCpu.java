package io.flowgate.routing.flowendpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time of the processes a benchmark drives, from {@code /proc/<pid>/stat} (Linux): the routing-api
 * process, and PostgreSQL as a whole (the postmaster, its live children and the children it has reaped).
 * CPU time, not wall time: on a shared machine it is inflated by contention, but not by waiting.
 */
final class ProcessCpu {

    /** Milliseconds per clock tick (USER_HZ = 100 on Linux). */
    static final double MS_PER_TICK = 10.0;

    private ProcessCpu() {
    }

    /** The postmaster of the server {@code sql} is connected to (the parent of its backend). */
    static long postmasterOf(Connection sql) throws Exception {
        try (ResultSet rs = sql.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return parentOf(rs.getLong(1));
        }
    }

    /** Fields of /proc/pid/stat after the command name. */
    private static String[] stat(long pid) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return s.substring(s.lastIndexOf(')') + 2).split(" ");
    }

    private static long parentOf(long pid) throws Exception {
        return Long.parseLong(stat(pid)[1]);
    }

    /** utime + stime of one process, in clock ticks. */
    static long ticks(long pid) throws Exception {
        String[] f = stat(pid);
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The postmaster, its reaped children (cutime + cstime) and its live children, in clock ticks. */
    static long postgresTicks(long postmaster) throws Exception {
        long ticks = ticks(postmaster) + reapedTicks(postmaster);
        for (long pid : children(postmaster)) {
            try {
                ticks += ticks(pid);
            } catch (Exception gone) {
                // exited meanwhile
            }
        }
        return ticks;
    }

    /** cutime + cstime: the CPU of the children the process has reaped (exited autovacuum workers, closed backends). */
    static long reapedTicks(long pid) throws Exception {
        String[] f = stat(pid);
        return Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    /** The live children of a process. */
    static List<Long> children(long parent) throws Exception {
        List<Long> children = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().matches("\\d+"))::iterator) {
                try {
                    long pid = Long.parseLong(p.getFileName().toString());
                    if (parentOf(pid) == parent) {
                        children.add(pid);
                    }
                } catch (Exception gone) {
                    // exited meanwhile
                }
            }
        }
        return children;
    }
}
