package io.soilci.server.upload;

import io.soilci.server.auth.Authenticator;
import io.soilci.server.auth.JobClaims;
import io.soilci.server.cluster.SiteChanges;
import io.soilci.server.config.Limits;
import io.soilci.server.http.Metrics;

/**
 * What an upload handler ({@link ResultsHandler}, {@link WwupHandler}) works with: where a job is
 * staged and stored, the body's limits, who may upload, how many uploads run at once, where the
 * change is made, the metrics, and the {@code claims} that keep a job from a worker not holding it.
 */
public record UploadContext(
    ResultStore store,
    Limits limits,
    Authenticator auth,
    UploadGate gate,
    SiteChanges changes,
    Metrics metrics,
    JobClaims claims) {}
