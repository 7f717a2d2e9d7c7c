package dev.stowage.iscsi.session;

import dev.stowage.iscsi.scsi.ScsiCommand.TaskAttribute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class TaskSetTest {
    private static Task task(int tag, TaskAttribute attribute) {
        return new Task(tag, 0, 0, tag, new byte[16], attribute, 0, false, false, null, 0);
    }

    @Test
    void simpleTasksRunTogetherButAfterAnEarlierOrderedOne() throws Exception {
        TaskSet set = new TaskSet();
        Task ordered = task(1, TaskAttribute.ORDERED);
        Task simple = task(2, TaskAttribute.SIMPLE);
        Task head = task(3, TaskAttribute.HEAD_OF_QUEUE);
        for (Task t : new Task[]{ordered, simple, head}) {
            set.add(t);
            set.enqueue(t);
        }
        set.awaitTurn(ordered);     // first in line: runs
        set.awaitTurn(head);        // head of queue: runs at once
        CountDownLatch simpleRan = new CountDownLatch(1);
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                set.awaitTurn(simple);
                simpleRan.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(simpleRan.getCount()).as("still behind the ORDERED task").isEqualTo(1);
        set.finish(ordered);
        assertThat(simpleRan.await(10, TimeUnit.SECONDS)).isTrue();
        waiter.join();
    }

    @Test
    void orderedTaskWaitsForEveryEarlierTask() throws Exception {
        TaskSet set = new TaskSet();
        Task a = task(1, TaskAttribute.SIMPLE);
        Task b = task(2, TaskAttribute.SIMPLE);
        Task ordered = task(3, TaskAttribute.ORDERED);
        for (Task t : new Task[]{a, b, ordered}) {
            set.add(t);
            set.enqueue(t);
        }
        set.awaitTurn(a);
        set.awaitTurn(b);           // simple tasks do not wait for each other
        CountDownLatch ran = new CountDownLatch(1);
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                set.awaitTurn(ordered);
                ran.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        set.finish(a);
        assertThat(ran.getCount()).isEqualTo(1);
        set.finish(b);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        waiter.join();
    }

    @Test
    void duplicateTagsAreRefused() {
        TaskSet set = new TaskSet();
        assertThat(set.add(task(7, TaskAttribute.SIMPLE))).isTrue();
        assertThat(set.add(task(7, TaskAttribute.SIMPLE))).isFalse();
    }
}
