# s3-relay as a container: the jar and its libraries, the YAML routes operators edit, and a config folder.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
# the class archive is made below, by the image's own JVM
RUN mvn -B -q -DskipTests -Ds3relay.class-archive.skip=true package

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/target/s3-relay.jar /app/s3-relay.jar
COPY --from=build /src/target/lib /app/lib
COPY routes /app/routes
COPY config /app/config
# the classes of one default run, archived by this image's JVM for its jars: the relay starts in about half the time
# (the archive-classes command; the JVM refuses an archive of other jars or of another JVM)
RUN java -XX:ArchiveClassesAtExit=/app/s3-relay.jsa -Xlog:cds=off -Xlog:cds+dynamic=off -jar /app/s3-relay.jar archive-classes
# the routes folder is re-read by operators' edits when mounted from the host
VOLUME ["/app/data"]
EXPOSE 8080
# G1 whatever the container's size: below 2 CPUs or about 1.8 GiB the JVM would pick the serial collector, which
# costs the relay about 10 % more CPU per upload (Kubernetes' 768Mi pods; docs/commands.md)
ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:SharedArchiveFile=/app/s3-relay.jsa", "-jar", "/app/s3-relay.jar"]
CMD ["run"]
