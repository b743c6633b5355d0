package dev.harrier.testing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Requests to the API of the application under test, with the default workspace's key. */
public final class Api {

    private Api() {
    }

    public static RequestSpecification api() {
        return given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON);
    }
}
