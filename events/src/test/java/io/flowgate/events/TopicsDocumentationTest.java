package io.flowgate.events;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/events.md shows the topic settings of {@link Topics#DEFINITIONS}, not a copy that drifts away from them. */
class TopicsDocumentationTest {

    private static final String BEGIN = "<!-- topic-definitions:begin (generated from Topics.markdownTable(); TopicsDocumentationTest) -->\n";
    private static final String END = "<!-- topic-definitions:end -->";

    @Test
    void eventsDocShowsTheTopicDefinitions() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "events.md"));
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertThat(begin).as("docs/events.md has the marker %s", BEGIN.strip()).isNotNegative();
        assertThat(end).as("docs/events.md has the marker %s", END).isGreaterThan(begin);
        assertThat(doc.substring(begin + BEGIN.length(), end))
                .as("the table in docs/events.md; replace it with Topics.markdownTable()")
                .isEqualTo(Topics.markdownTable());
    }

    @Test
    void everyTopicNameHasExactlyOneDefinition() {
        assertThat(Topics.DEFINITIONS).extracting(TopicDefinition::name).containsExactlyElementsOf(Topics.ALL);
    }

    @Test
    void replicationAndMinInsyncScaleDownToTheClusterNeverUp() {
        TopicDefinition inbound = Topics.definition(Topics.INBOUND).orElseThrow();
        assertThat(inbound.replicationOn(1)).isEqualTo(1);
        assertThat(inbound.minInsyncReplicasOn(1)).isEqualTo(1);
        assertThat(inbound.replicationOn(2)).isEqualTo(2);
        assertThat(inbound.minInsyncReplicasOn(2)).isEqualTo(2);
        assertThat(inbound.replicationOn(5)).isEqualTo(3);
        assertThat(inbound.minInsyncReplicasOn(5)).isEqualTo(2);
        assertThat(inbound.configsOn(3)).containsEntry("min.insync.replicas", "2");
    }
}
