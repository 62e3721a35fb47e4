package generated

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../oapi-codegen.yaml ../openapi.yaml
//go:generate go run ../internal/genops ../openapi.yaml operations.gen.go
