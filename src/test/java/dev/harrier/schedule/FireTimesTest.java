package dev.harrier.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fire times around the daylight-saving changes of 2026 and 2027 in Europe/London (last Sundays of
 * March and October, at 01:00 UTC) and America/New_York (second Sunday of March at 07:00 UTC, first
 * Sunday of November at 06:00 UTC): a repeated wall-clock time fires once, at its first occurrence;
 * times in a gap fire once, at the end of the gap. Every expected instant is written out in UTC.
 */
class FireTimesTest {

    private static final List<String> SEED = List.of("0 8,10,14,16,22 * * *", "45 16 * * *");

    private static List<Instant> next(List<String> cron, String zone, String after, int count) {
        return FireTimes.of(cron, zone).next(Instant.parse(after), count);
    }

    private static List<Instant> at(String... instants) {
        return Arrays.stream(instants).map(Instant::parse).toList();
    }

    @Test
    void theSeedsTimesFollowLondonsClocksThroughBothChangesOf2026And2027() {
        // Spring: Saturday on GMT, Sunday on BST (an hour earlier in UTC).
        assertThat(next(SEED, "Europe/London", "2026-03-28T16:00:00Z", 9)).containsExactlyElementsOf(at(
                "2026-03-28T16:45:00Z", "2026-03-28T22:00:00Z",
                "2026-03-29T07:00:00Z", "2026-03-29T09:00:00Z", "2026-03-29T13:00:00Z", "2026-03-29T15:00:00Z",
                "2026-03-29T15:45:00Z", "2026-03-29T21:00:00Z", "2026-03-30T07:00:00Z"));
        // Autumn: the last BST fire, then the day on GMT.
        assertThat(next(SEED, "Europe/London", "2026-10-24T15:45:00Z", 8)).containsExactlyElementsOf(at(
                "2026-10-24T21:00:00Z",
                "2026-10-25T08:00:00Z", "2026-10-25T10:00:00Z", "2026-10-25T14:00:00Z", "2026-10-25T16:00:00Z",
                "2026-10-25T16:45:00Z", "2026-10-25T22:00:00Z", "2026-10-26T08:00:00Z"));
        assertThat(next(SEED, "Europe/London", "2027-03-27T22:00:00Z", 2)).containsExactlyElementsOf(at(
                "2027-03-28T07:00:00Z", "2027-03-28T09:00:00Z"));
        assertThat(next(SEED, "Europe/London", "2027-10-30T21:00:00Z", 2)).containsExactlyElementsOf(at(
                "2027-10-31T08:00:00Z", "2027-10-31T10:00:00Z"));
    }

    @Test
    void theSeedsTimesFollowNewYorksClocks() {
        assertThat(next(SEED, "America/New_York", "2026-03-07T21:45:00Z", 7)).containsExactlyElementsOf(at(
                "2026-03-08T03:00:00Z", "2026-03-08T12:00:00Z", "2026-03-08T14:00:00Z", "2026-03-08T18:00:00Z",
                "2026-03-08T20:00:00Z", "2026-03-08T20:45:00Z", "2026-03-09T02:00:00Z"));
        assertThat(next(SEED, "America/New_York", "2026-10-31T20:45:00Z", 7)).containsExactlyElementsOf(at(
                "2026-11-01T02:00:00Z", "2026-11-01T13:00:00Z", "2026-11-01T15:00:00Z", "2026-11-01T19:00:00Z",
                "2026-11-01T21:00:00Z", "2026-11-01T21:45:00Z", "2026-11-02T03:00:00Z"));
        assertThat(next(SEED, "America/New_York", "2027-03-13T21:45:00Z", 2)).containsExactlyElementsOf(at(
                "2027-03-14T03:00:00Z", "2027-03-14T12:00:00Z"));
        assertThat(next(SEED, "America/New_York", "2027-11-06T20:45:00Z", 2)).containsExactlyElementsOf(at(
                "2027-11-07T02:00:00Z", "2027-11-07T13:00:00Z"));
    }

    @Test
    void halfPastOneInLondonFiresAtTheGapsEndInSpringAndOnceInAutumn() {
        List<String> cron = List.of("30 1 * * *");
        assertThat(next(cron, "Europe/London", "2026-03-27T12:00:00Z", 3)).as("01:30 does not exist on 29 March: 02:00 BST")
                .containsExactlyElementsOf(at("2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"));
        assertThat(next(cron, "Europe/London", "2026-10-23T12:00:00Z", 3)).as("01:30 BST only, not 01:30 GMT as well")
                .containsExactlyElementsOf(at("2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"));
        assertThat(next(cron, "Europe/London", "2026-10-25T00:30:00Z", 1)).as("from the first occurrence, the second is skipped")
                .containsExactlyElementsOf(at("2026-10-26T01:30:00Z"));
        assertThat(next(cron, "Europe/London", "2026-10-25T01:10:00Z", 1)).as("created during the repeated hour")
                .containsExactlyElementsOf(at("2026-10-26T01:30:00Z"));
        assertThat(next(cron, "Europe/London", "2027-03-26T12:00:00Z", 3))
                .containsExactlyElementsOf(at("2027-03-27T01:30:00Z", "2027-03-28T01:00:00Z", "2027-03-29T00:30:00Z"));
        assertThat(next(cron, "Europe/London", "2027-10-29T12:00:00Z", 3))
                .containsExactlyElementsOf(at("2027-10-30T00:30:00Z", "2027-10-31T00:30:00Z", "2027-11-01T01:30:00Z"));
    }

    @Test
    void halfPastOneInNewYorkIsInTheRepeatedHourButNotInTheGap() {
        List<String> cron = List.of("30 1 * * *");
        assertThat(next(cron, "America/New_York", "2026-03-07T12:00:00Z", 2))
                .containsExactlyElementsOf(at("2026-03-08T06:30:00Z", "2026-03-09T05:30:00Z"));
        assertThat(next(cron, "America/New_York", "2026-10-31T12:00:00Z", 2)).as("01:30 EDT, not 01:30 EST")
                .containsExactlyElementsOf(at("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"));
        assertThat(next(cron, "America/New_York", "2027-11-06T00:00:00Z", 3))
                .containsExactlyElementsOf(at("2027-11-06T05:30:00Z", "2027-11-07T05:30:00Z", "2027-11-08T06:30:00Z"));
    }

    @Test
    void twoOClockIsInNewYorksGapAndAfterLondonsChanges() {
        List<String> cron = List.of("0 2 * * *");
        assertThat(next(cron, "America/New_York", "2026-03-06T12:00:00Z", 3)).as("02:00 does not exist on 8 March: 03:00 EDT")
                .containsExactlyElementsOf(at("2026-03-07T07:00:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z"));
        assertThat(next(cron, "America/New_York", "2026-10-30T12:00:00Z", 3))
                .containsExactlyElementsOf(at("2026-10-31T06:00:00Z", "2026-11-01T07:00:00Z", "2026-11-02T07:00:00Z"));
        assertThat(next(cron, "America/New_York", "2027-03-12T12:00:00Z", 3))
                .containsExactlyElementsOf(at("2027-03-13T07:00:00Z", "2027-03-14T07:00:00Z", "2027-03-15T06:00:00Z"));
        assertThat(next(cron, "Europe/London", "2026-03-28T00:00:00Z", 3))
                .containsExactlyElementsOf(at("2026-03-28T02:00:00Z", "2026-03-29T01:00:00Z", "2026-03-30T01:00:00Z"));
        assertThat(next(cron, "Europe/London", "2026-10-23T12:00:00Z", 3))
                .containsExactlyElementsOf(at("2026-10-24T01:00:00Z", "2026-10-25T02:00:00Z", "2026-10-26T02:00:00Z"));
    }

    @Test
    void everyQuarterHourFiresOnceForTheGapAndSkipsTheSecondPassOfTheRepeatedHour() {
        List<String> cron = List.of("*/15 * * * *");
        assertThat(next(cron, "Europe/London", "2026-03-29T00:30:00Z", 4)).as("01:00 to 01:45 and 02:00 BST are one fire")
                .containsExactlyElementsOf(at("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z",
                        "2026-03-29T01:30:00Z"));
        assertThat(next(cron, "Europe/London", "2026-10-24T23:30:00Z", 6)).as("01:00 to 01:45 GMT were fired as BST")
                .containsExactlyElementsOf(at("2026-10-24T23:45:00Z", "2026-10-25T00:00:00Z", "2026-10-25T00:15:00Z",
                        "2026-10-25T00:30:00Z", "2026-10-25T00:45:00Z", "2026-10-25T02:00:00Z"));
        assertThat(next(cron, "America/New_York", "2026-03-08T06:30:00Z", 3))
                .containsExactlyElementsOf(at("2026-03-08T06:45:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:15:00Z"));
        assertThat(next(cron, "America/New_York", "2026-11-01T04:30:00Z", 6))
                .containsExactlyElementsOf(at("2026-11-01T04:45:00Z", "2026-11-01T05:00:00Z", "2026-11-01T05:15:00Z",
                        "2026-11-01T05:30:00Z", "2026-11-01T05:45:00Z", "2026-11-01T07:00:00Z"));
        assertThat(next(cron, "Europe/London", "2027-10-30T23:45:00Z", 6))
                .containsExactlyElementsOf(at("2027-10-31T00:00:00Z", "2027-10-31T00:15:00Z", "2027-10-31T00:30:00Z",
                        "2027-10-31T00:45:00Z", "2027-10-31T02:00:00Z", "2027-10-31T02:15:00Z"));
    }

    @Test
    void firesOfSeveralExpressionsAtOneInstantAreOneAndMacrosAreCron() {
        assertThat(next(List.of("0 8 * * *", "0 8 * * *", "0 8 * * MON-FRI"), "UTC", "2026-12-01T09:00:00Z", 2))
                .containsExactlyElementsOf(at("2026-12-02T08:00:00Z", "2026-12-03T08:00:00Z"));
        assertThat(next(List.of("@daily"), "UTC", "2026-12-01T09:00:00Z", 2))
                .containsExactlyElementsOf(at("2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"));
        assertThat(next(List.of("@hourly", "@weekly"), "Europe/London", "2026-12-05T22:30:00Z", 3))
                .containsExactlyElementsOf(at("2026-12-05T23:00:00Z", "2026-12-06T00:00:00Z", "2026-12-06T01:00:00Z"));
        assertThat(next(List.of("@yearly"), null, "2026-12-01T09:00:00Z", 1)).containsExactlyElementsOf(at("2027-01-01T00:00:00Z"));
    }

    @Test
    void betweenKeepsTheLatestFires() {
        FireTimes hourly = FireTimes.of(List.of("0 * * * *"), "UTC");
        assertThat(hourly.between(Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-01T05:00:00Z"), 100))
                .containsExactlyElementsOf(at("2026-12-01T01:00:00Z", "2026-12-01T02:00:00Z", "2026-12-01T03:00:00Z",
                        "2026-12-01T04:00:00Z", "2026-12-01T05:00:00Z"));
        assertThat(hourly.between(Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-01T05:30:00Z"), 2))
                .containsExactlyElementsOf(at("2026-12-01T04:00:00Z", "2026-12-01T05:00:00Z"));
    }

    @Test
    void problemsNameTheExpressionAndItsField() {
        assertThatThrownBy(() -> FireTimes.of(List.of("0 8 * * *", "61 * * * *"), "UTC"))
                .isInstanceOf(InvalidCronException.class).hasMessage("cron[1]: minute 61 is out of range 0-59")
                .extracting(e -> ((InvalidCronException) e).field()).isEqualTo("cron[1]");
        assertThatThrownBy(() -> FireTimes.of(List.of("0 24 * * *"), "UTC")).hasMessage("cron[0]: hour 24 is out of range 0-23");
        assertThatThrownBy(() -> FireTimes.of(List.of("0 0 0 * *"), "UTC")).hasMessage("cron[0]: day-of-month 0 is out of range 1-31");
        assertThatThrownBy(() -> FireTimes.of(List.of("0 0 * 13 *"), "UTC")).hasMessage("cron[0]: month 13 is out of range 1-12");
        assertThatThrownBy(() -> FireTimes.of(List.of("0 0 * * 8"), "UTC")).hasMessage("cron[0]: day-of-week 8 is out of range 0-7");
        assertThatThrownBy(() -> FireTimes.of(List.of("*/0 * * * *"), "UTC")).hasMessageStartingWith("cron[0]: minute '*/0': ");
        assertThatThrownBy(() -> FireTimes.of(List.of("0 8 * *"), "UTC")).hasMessageStartingWith("cron[0]: 4 fields, expected 5");
        assertThatThrownBy(() -> FireTimes.of(List.of("@often"), "UTC")).hasMessageStartingWith("cron[0]: unknown macro @often");
        assertThatThrownBy(() -> FireTimes.of(List.of(""), "UTC")).hasMessage("cron[0]: an expression is required");
        assertThatThrownBy(() -> FireTimes.of(List.of("0 8 * * *"), "Mars/Olympus")).isInstanceOf(InvalidCronException.class)
                .hasMessageStartingWith("timeZone: 'Mars/Olympus' is not an IANA time zone");
        assertThatThrownBy(() -> FireTimes.of(List.of("0 8 * * *"), "+01:00")).hasMessageStartingWith("timeZone:");
    }

    @Test
    void problemsNamesEveryExpressionAndTheZoneThatCannotBeUsed() {
        assertThat(FireTimes.problems(List.of("0 8 * * *", "@daily"), "Europe/London")).isEmpty();
        List<InvalidCronException> problems = FireTimes.problems(List.of("61 * * * *", "0 8 * * *", "0 8 * *"), "Mars/Olympus");
        assertThat(problems).extracting(InvalidCronException::field).containsExactly("cron[0]", "cron[2]", "timeZone");
        assertThat(problems.get(0).problem()).isEqualTo("minute 61 is out of range 0-59");
    }
}
