package dev.stowage.iscsi.session;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CommandWindowTest {

    @Test
    void inOrderCommandsAreDeliveredAndAdvanceTheWindow() {
        CommandWindow<String> w = new CommandWindow<>(10, 4);
        assertThat(w.maxCmdSn()).isEqualTo(13);
        assertThat(w.offer(10, false, "a")).containsExactly("a");
        assertThat(w.offer(11, false, "b")).containsExactly("b");
        assertThat(w.expCmdSn()).isEqualTo(12);
        assertThat(w.maxCmdSn()).isEqualTo(15);
    }

    @Test
    void aGapHoldsLaterCommandsUntilFilled() {
        CommandWindow<String> w = new CommandWindow<>(1, 8);
        assertThat(w.offer(3, false, "c")).isEmpty();
        assertThat(w.offer(2, false, "b")).isEmpty();
        assertThat(w.held()).isEqualTo(2);
        assertThat(w.offer(1, false, "a")).containsExactly("a", "b", "c");
        assertThat(w.expCmdSn()).isEqualTo(4);
        assertThat(w.held()).isZero();
    }

    @Test
    void maxCmdSnNeverGoesBackWhenATaskIsCountedAfterItsCommandWasDelivered() {
        CommandWindow<String> w = new CommandWindow<>(1, 2);
        assertThat(w.offer(1, false, "a")).containsExactly("a");
        w.inFlight(1);                                   // task a runs
        assertThat(w.maxCmdSn()).isEqualTo(2);
        assertThat(w.offer(2, false, "b")).containsExactly("b");
        // A response written now, before b's task is counted, advertises CmdSN 3.
        assertThat(w.maxCmdSn()).isEqualTo(3);
        w.inFlight(1);                                   // task b counted
        assertThat(w.maxCmdSn()).isEqualTo(3);
        assertThat(w.offer(3, false, "c")).as("the advertised slot is honoured, not dropped").containsExactly("c");
    }

    @Test
    void commandsOutsideTheWindowAreDropped() {
        CommandWindow<String> w = new CommandWindow<>(100, 4);
        assertThat(w.offer(99, false, "old")).isEmpty();
        assertThat(w.offer(104, false, "too far")).isEmpty();
        assertThat(w.held()).isZero();
        assertThat(w.expCmdSn()).isEqualTo(100);
    }

    @Test
    void immediateCommandsPassWithoutAdvancing() {
        CommandWindow<String> w = new CommandWindow<>(5, 4);
        assertThat(w.offer(5, true, "now")).containsExactly("now");
        assertThat(w.offer(12345, true, "any")).containsExactly("any");
        assertThat(w.expCmdSn()).isEqualTo(5);
    }

    @Test
    void theWindowWrapsAround() {
        CommandWindow<String> w = new CommandWindow<>(-2, 8);    // 0xfffffffe
        assertThat(w.offer(0, false, "c")).isEmpty();
        assertThat(w.offer(-1, false, "b")).isEmpty();
        assertThat(w.offer(-2, false, "a")).isEqualTo(List.of("a", "b", "c"));
        assertThat(w.expCmdSn()).isEqualTo(1);
    }

    @Test
    void tasksInFlightUseUpTheWindow() {
        CommandWindow<String> w = new CommandWindow<>(1, 2);
        assertThat(w.offer(1, false, "a")).containsExactly("a");
        w.inFlight(1);
        assertThat(w.offer(2, false, "b")).containsExactly("b");
        w.inFlight(1);
        assertThat(w.maxCmdSn()).as("no credit left").isEqualTo(2);
        assertThat(w.offer(3, false, "c")).as("beyond MaxCmdSN").isEmpty();
        w.inFlight(-1);
        assertThat(w.maxCmdSn()).isEqualTo(3);
        assertThat(w.offer(3, false, "c")).containsExactly("c");
    }

    @Test
    void anAdvertisedMaxCmdSnStaysValid() {
        CommandWindow<String> w = new CommandWindow<>(1, 4);
        assertThat(w.offer(1, false, "a")).containsExactly("a");
        int advertised = w.maxCmdSn();              // sent before task "a" is registered
        assertThat(advertised).isEqualTo(5);
        w.inFlight(1);                              // now "a" counts
        assertThat(w.maxCmdSn()).isEqualTo(advertised);
        assertThat(w.offer(2, false, "b")).containsExactly("b");
        w.inFlight(1);
        w.offer(3, false, "c");
        w.inFlight(1);
        w.offer(4, false, "d");
        w.inFlight(1);
        assertThat(w.offer(5, false, "e")).as("CmdSN 5 was advertised").containsExactly("e");
    }
}
