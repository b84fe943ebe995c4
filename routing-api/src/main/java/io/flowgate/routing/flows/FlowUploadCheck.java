package io.flowgate.routing.flows;

import java.util.List;

/**
 * Something that depends on a Flow's screens (its routing rules) and must still fit a new version of
 * the Flow before the upload is accepted.
 */
public interface FlowUploadCheck {

    /** The problems the new version would cause; empty when it fits. */
    List<String> problemsWith(FlowDefinition newVersion);
}
