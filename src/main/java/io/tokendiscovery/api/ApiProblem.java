package io.tokendiscovery.api;

/** An API error with its HTTP status, rendered as RFC 7807 problem JSON by the API's error handling. */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String title;

    public ApiProblem(int status, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
    }

    public int getStatus() {
        return status;
    }

    public String getTitle() {
        return title;
    }
}
