package fleet

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TypeMeta is the apiVersion and kind of a Fleet object.
func TypeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: APIVersion, Kind: kind}
}
