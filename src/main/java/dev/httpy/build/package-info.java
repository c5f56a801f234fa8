/**
 * Build steps: {@link dev.httpy.build.InstallRequirements}, which a web app's pom runs to install
 * {@code requirements.txt} with the Python that will run it, and
 * {@link dev.httpy.build.SpringMetadata}, which this build runs for the {@code httpy.*} properties' metadata.
 */
package dev.httpy.build;
