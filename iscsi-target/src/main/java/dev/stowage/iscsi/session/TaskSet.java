package dev.stowage.iscsi.session;

import dev.stowage.iscsi.scsi.ScsiCommand.TaskAttribute;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tasks of one session, by initiator task tag, and the gate that orders their execution by
 * task attribute (SAM-5): SIMPLE tasks run concurrently but not before an earlier ORDERED task
 * has finished; an ORDERED task waits for every earlier task; HEAD OF QUEUE runs at once.
 *
 * <p><b>Threading:</b> thread-safe. {@link #awaitTurn} blocks (cheap on virtual threads).
 */
final class TaskSet {
    private final Map<Integer, Task> byTag = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TreeMap<Long, TaskAttribute> active = new TreeMap<>();
    private final java.util.function.IntConsumer inFlight;
    private long sequence;

    /** @param inFlight told +1 when a task is added and -1 when it is removed */
    TaskSet(java.util.function.IntConsumer inFlight) {
        this.inFlight = inFlight;
    }

    TaskSet() {
        this(delta -> { });
    }

    /** Registers a new task; false when its tag is already in use. */
    boolean add(Task task) {
        if (byTag.putIfAbsent(task.itt, task) != null) {
            return false;
        }
        inFlight.accept(1);
        return true;
    }

    Task get(int itt) {
        return byTag.get(itt);
    }

    /** Every task, for task management. */
    List<Task> all() {
        return new ArrayList<>(byTag.values());
    }

    /** Forgets a task (finished or aborted). */
    void remove(Task task) {
        if (byTag.remove(task.itt, task)) {
            inFlight.accept(-1);
        }
    }

    /** Puts the task in line; call before handing it to a worker. */
    void enqueue(Task task) {
        lock.lock();
        try {
            task.order = sequence++;
            active.put(task.order, task.attribute);
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until the task may run; returns early when the task was aborted. */
    void awaitTurn(Task task) throws InterruptedException {
        lock.lock();
        try {
            while (!task.aborted && !mayRun(task)) {
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Marks the task finished and wakes tasks waiting behind it. */
    void finish(Task task) {
        lock.lock();
        try {
            active.remove(task.order);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        remove(task);
    }

    /** Wakes waiters (after an abort). */
    void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean mayRun(Task task) {
        if (task.attribute == TaskAttribute.HEAD_OF_QUEUE) {
            return true;
        }
        for (Map.Entry<Long, TaskAttribute> e : active.headMap(task.order, false).entrySet()) {
            if (task.attribute == TaskAttribute.ORDERED || e.getValue() == TaskAttribute.ORDERED) {
                return false;
            }
        }
        return true;
    }
}
