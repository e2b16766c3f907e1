"""The screens every role shares: sign-in, sign-out, home. Station screens live in lines/web,
quality screens in quality/web; all extend mes/templates/mes/base.html."""
