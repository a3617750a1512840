# s3-relay as a container: the jar and its libraries, the YAML routes operators edit, and a config folder.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/target/s3-relay.jar /app/s3-relay.jar
COPY --from=build /src/target/lib /app/lib
COPY routes /app/routes
COPY config /app/config
# the routes folder is re-read by operators' edits when mounted from the host
VOLUME ["/app/data"]
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/s3-relay.jar"]
CMD ["run"]
