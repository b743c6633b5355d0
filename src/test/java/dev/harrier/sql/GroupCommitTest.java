package dev.harrier.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<List<String>>> statements = new CopyOnWriteArrayList<>();

    private final GroupCommit<Integer, String> commit = new GroupCommit<>(items -> {
        batches.add(List.copyOf(items));
        CompletableFuture<List<String>> statement = new CompletableFuture<>();
        statements.add(statement);
        return Uni.createFrom().completionStage(statement);
    }, 3, 1);

    @Test
    void aWriteWhileIdleGoesOutAtOnceAndWritesMeanwhileLeaveTogetherInBatchesOfAtMostMax() {
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(commit.submit(i).subscribeAsCompletionStage());
        }
        assertThat(batches).containsExactly(List.of(0));

        statements.get(0).complete(List.of("r0"));
        assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3));
        statements.get(1).complete(List.of("r1", "r2", "r3"));
        assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4, 5));
        statements.get(2).complete(List.of("r4", "r5"));

        assertThat(results).extracting(CompletableFuture::join).containsExactly("r0", "r1", "r2", "r3", "r4", "r5");
        assertThat(commit.backlog()).isZero();
    }

    @Test
    void aFailedStatementFailsOnlyItsOwnItems() {
        CompletableFuture<String> first = commit.submit(1).subscribeAsCompletionStage();
        CompletableFuture<String> second = commit.submit(2).subscribeAsCompletionStage();

        statements.get(0).completeExceptionally(new IllegalStateException("database gone"));
        statements.get(1).complete(List.of("ok"));

        assertThat(first).isCompletedExceptionally();
        assertThat(second.join()).isEqualTo("ok");
    }

    @Test
    void withASoonExecutorTheWritesOfOneTurnShareTheFirstStatement() {
        List<Runnable> turn = new ArrayList<>();
        GroupCommit<Integer, String> deferred = new GroupCommit<>(items -> {
            batches.add(List.copyOf(items));
            return Uni.createFrom().item(items.stream().map(i -> "r" + i).toList());
        }, 10, 1, turn::add);

        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            results.add(deferred.submit(i).subscribeAsCompletionStage());
        }
        assertThat(batches).as("nothing leaves before the turn ends").isEmpty();
        turn.forEach(Runnable::run);

        assertThat(batches).containsExactly(List.of(0, 1, 2, 3));
        assertThat(results).extracting(CompletableFuture::join).containsExactly("r0", "r1", "r2", "r3");
    }
}
