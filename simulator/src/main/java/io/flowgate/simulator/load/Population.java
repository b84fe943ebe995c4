package io.flowgate.simulator.load;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;

/**
 * The simulated users: {@code size} people, each in at most one journey at a time (a person does not
 * run two chats with the business at once). An arrival when everyone is busy is turned away, which
 * also bounds how many journeys a run holds at once.
 */
public final class Population {

    private final List<Integer> free;
    private final int size;

    public Population(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("the population needs at least one user");
        }
        this.size = size;
        this.free = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            free.add(i);
        }
    }

    /** A free user's index in {@code [0, size)}, picked at random, or empty when everyone is busy. */
    public synchronized OptionalInt take(RandomGenerator random) {
        if (free.isEmpty()) {
            return OptionalInt.empty();
        }
        int at = random.nextInt(free.size());
        int last = free.size() - 1;
        int user = free.get(at);
        free.set(at, free.get(last));
        free.remove(last);
        return OptionalInt.of(user);
    }

    public synchronized void release(int user) {
        free.add(user);
    }

    public int size() {
        return size;
    }
}
